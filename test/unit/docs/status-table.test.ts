/**
 * The status table of docs/extension.md ("Error answers") against the golden table of the wire
 * behaviour (test/golden/wire.ts): every status, content type and `__type` a golden request gets is
 * documented, and every documented row is either answered to a golden request or says why not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOLDEN } from '../../golden/wire.js';

interface DocRow {
  readonly status: number;
  readonly contentType: string | undefined;
  /** The `__type` codes the row names; empty for `—`. */
  readonly codes: readonly string[];
  /** "AWS's code, e.g. …": any code AWS sends. */
  readonly awsCodes: boolean;
  readonly inGolden: boolean;
  readonly text: string;
}

const doc = readFileSync('docs/extension.md', 'utf8');
const block = /<!-- status-table:start -->\n([\s\S]*?)<!-- status-table:end -->/.exec(doc)?.[1] ?? '';
const rows: DocRow[] = block
  .split('\n')
  .filter((line) => /^\| \d{3} \|/.test(line))
  .map((line) => {
    const [status, contentType, code] = line
      .split('|')
      .slice(1, 4)
      .map((cell) => cell.trim());
    return {
      status: Number(status),
      contentType: contentType === '—' ? undefined : contentType?.replace(/`/g, ''),
      codes: [...(code ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] ?? ''),
      awsCodes: (code ?? '').startsWith("AWS's code"),
      inGolden: !line.includes('*not in the golden table*'),
      text: line,
    };
  });

/** What a golden row's answer is: status, content type, and `__type` when it has a body. */
function outcome(row: (typeof GOLDEN)[number]): {
  status: number;
  contentType: string | undefined;
  code?: string;
} {
  const code =
    typeof row.answer === 'string' && row.answer.startsWith('{"__type"')
      ? (JSON.parse(row.answer) as { __type: string }).__type
      : undefined;
  return { status: row.status, contentType: row.contentType, ...(code === undefined ? {} : { code }) };
}

function documents(docRow: DocRow, answer: ReturnType<typeof outcome>): boolean {
  if (docRow.status !== answer.status || docRow.contentType !== answer.contentType) return false;
  if (answer.code === undefined) return true; // HEAD, 200, 401: the status and type say it all
  return docRow.codes.includes(answer.code);
}

describe('the status table of docs/extension.md', () => {
  it('is there', () => {
    expect(rows.length).toBeGreaterThan(10);
  });

  it('documents every status, content type and __type the golden requests get', () => {
    const undocumented = GOLDEN.map(outcome).filter((answer) => !rows.some((row) => documents(row, answer)));
    expect(undocumented).toEqual([]);
  });

  it('lists only answers the golden requests get, except the rows marked as not in the golden table', () => {
    const answers = GOLDEN.map(outcome);
    const unanswered = rows
      .filter((row) => row.inGolden)
      .filter((row) => {
        const matching = answers.filter(
          (answer) => answer.status === row.status && answer.contentType === row.contentType,
        );
        if (row.codes.length === 0 || row.awsCodes) return matching.length === 0;
        return !row.codes.every((code) => matching.some((answer) => answer.code === code));
      })
      .map((row) => row.text);
    expect(unanswered).toEqual([]);
  });
});
