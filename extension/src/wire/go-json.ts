/**
 * JSON as Go's encoding/json writes it, so bodies are byte-for-byte what AWS's extension (a Go program)
 * would send.
 */

/** Go's json.Marshal escapes these five characters; JSON.stringify does not. */
export function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON.stringify, then Go's escaping. */
export function goJson(value: unknown): string {
  return goJsonEscape(JSON.stringify(value));
}

/** Go's time.Time JSON form (RFC3339Nano): `…:40.36Z`, `…:40Z`; JavaScript always prints three digits. */
export function goTime(date: Date | undefined): string | null {
  if (date === undefined || Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.?0+Z$/, 'Z');
}
