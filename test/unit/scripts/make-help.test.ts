import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// `make help` is how a newcomer finds the targets: every phony target must be listed, once, with a line.
const makefiles = [
  'Makefile',
  ...readdirSync('mk')
    .filter((f) => f.endsWith('.mk'))
    .map((f) => `mk/${f}`),
];
const phonyTargets = makefiles.flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/^\.PHONY:\s*(.+)$/gm)].flatMap((m) =>
    (m[1] ?? '').trim().split(/\s+/),
  ),
);

describe('make help', () => {
  const lines = execFileSync('make', ['--no-print-directory', 'help'], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const listed = new Map(lines.map((line) => line.trim().split(/\s{2,}/) as [string, string]));

  it('lists every phony target exactly once with a description', () => {
    expect(phonyTargets.length).toBeGreaterThan(10);
    for (const target of phonyTargets) {
      expect(listed.get(target), target).toMatch(/\w+ \w+/);
    }
    expect(lines).toHaveLength(listed.size);
  });

  it('names the two commands the README starts with', () => {
    expect(listed.has('demo')).toBe(true);
    expect(listed.has('test')).toBe(true);
    expect(readFileSync('README.md', 'utf8').split('\n').slice(0, 5).join('\n')).toMatch(
      /make demo[\s\S]*make test/,
    );
  });
});
