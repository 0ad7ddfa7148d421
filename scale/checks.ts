/**
 * The model's invariants, checked after every run (by `make scale` and by the short test): the stand-in
 * never let a family exceed its quota (calls <= capacity + rate x time in every interval), every read
 * ended with the value or with the error AWS sent, and nothing was sent that the stand-in could not read.
 */
import { quotaExcess, type ReadFigures } from './figures.js';
import type { StandInStats } from './standin/server.js';

/** What a throttled read may fail with: AWS's own error, passed through by the extension. */
export const AWS_FAILURES: ReadonlySet<string> = new Set(['ThrottlingException']);

/** Tolerance for floating-point time in the bucket arithmetic. */
const EPSILON = 1e-6;

export function violations(reads: ReadFigures, stats: StandInStats, expectedInitReads: number): string[] {
  const found: string[] = [];
  for (const family of stats.families) {
    const excess = quotaExcess(family.acceptedAt, family.rate, family.capacity);
    if (excess > EPSILON) {
      found.push(
        `${family.name}: ${excess.toFixed(3)} calls above ${family.rate}/s + burst ${family.capacity}`,
      );
    }
  }
  for (const [code, count] of Object.entries(reads.failureCodes)) {
    if (!AWS_FAILURES.has(code))
      found.push(`${count} reads failed with ${code}, not an AWS throttling error`);
  }
  if (reads.initReads !== expectedInitReads) {
    found.push(`${reads.initReads} INIT reads answered, ${expectedInitReads} made`);
  }
  if (stats.rejected > 0) found.push(`${stats.rejected} requests the stand-in could not route or parse`);
  return found;
}
