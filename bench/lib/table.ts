/**
 * The one table `make bench` prints: rows grouped by section, each with the extension's figure, the
 * baseline measured in the same run, their ratio and the target (met or missed).
 */

export interface Row {
  readonly section: string;
  readonly what: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
}

export class Table {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  add(row: Row): void {
    this.rows.push(row);
    // Print as we go: a long run shows progress, and a failure later keeps what was measured.
    process.stdout.write(
      `  ${row.section} | ${row.what} | ${row.value} | ${row.baseline} | ${row.ratio} | ${row.target}\n`,
    );
  }

  note(text: string): void {
    this.notes.push(text);
    process.stdout.write(`  note: ${text}\n`);
  }

  markdown(): string {
    const cellText = (cell: string): string => cell.replaceAll('|', '\\|');
    const lines = [
      '| # | measurement | extension | baseline (same run) | ratio | target |',
      '| --- | --- | --- | --- | --- | --- |',
    ];
    for (const row of this.rows) {
      lines.push(
        `| ${[row.section, row.what, row.value, row.baseline, row.ratio, row.target].map(cellText).join(' | ')} |`,
      );
    }
    if (this.notes.length > 0) lines.push('', ...this.notes.map((note) => `- ${note}`));
    return `${lines.join('\n')}\n`;
  }
}

/** "met (0.93× ≤ 1.5×)" or "MISSED by 12% (1.68× > 1.5×)" for a ratio that must stay at or under `limit`. */
export function atMost(ratio: number, limit: number): string {
  if (!Number.isFinite(ratio)) return `n/a (≤ ${limit}×)`;
  return ratio <= limit
    ? `met (≤ ${limit}×)`
    : `MISSED by ${(((ratio - limit) / limit) * 100).toFixed(0)}% (≤ ${limit}×)`;
}

/** For a ratio that must reach at least `limit` (throughput). */
export function atLeast(ratio: number, limit: number): string {
  if (!Number.isFinite(ratio)) return `n/a (≥ ${limit}×)`;
  return ratio >= limit
    ? `met (≥ ${limit}×)`
    : `MISSED by ${(((limit - ratio) / limit) * 100).toFixed(0)}% (≥ ${limit}×)`;
}
