/** Go's spellings of booleans and durations, as AWS's extension reads and prints them. */

/** Go's strconv.ParseBool spellings, case-insensitive (CDK writes "true", AWS docs "TRUE"). */
export function parseBoolean(raw: string): boolean | undefined {
  switch (raw.toLowerCase()) {
    case 'true':
    case 't':
    case '1':
      return true;
    case 'false':
    case 'f':
    case '0':
      return false;
    default:
      return undefined;
  }
}

/** Go's time.Duration rendering for whole seconds/millis, as AWS's log lines show them (5m0s, 0s, 1.5s). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const s = `${seconds}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}
