/**
 * The layers of docs/design.md: every module of extension/src imports only from its own layer or the
 * ones below (type-only imports included: they are dependencies of the design too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = 'extension/src';

/** Layer of each module, by path below extension/src (first match wins). */
const LAYERS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(main|build-code-cache|in-process)\.ts$/, 6],
  [/^(lifecycle\/|in-process\/|(prefetch|serving)\.ts$)/, 5],
  [/^http\//, 4],
  [/^(cache|backends|sdk|metrics)\//, 3],
  [/^(config|logger|lazy)\.ts$/, 2],
  [/^(errors|messages|service)\.ts$|^wire\//, 1],
];

function layerOf(module: string): number {
  const layer = LAYERS.find(([pattern]) => pattern.test(module))?.[1];
  if (layer === undefined) throw new Error(`${module} belongs to no layer of docs/design.md`);
  return layer;
}

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? modules(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [relative(SRC, join(dir, entry.name))]
        : [],
  );
}

describe('extension/src', () => {
  it('imports downwards only', () => {
    const upward: string[] = [];
    for (const module of modules(SRC)) {
      const code = readFileSync(join(SRC, module), 'utf8');
      for (const [, target] of code.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const imported = join(dirname(module), target ?? '').replace(/\.js$/, '.ts');
        if (layerOf(imported) > layerOf(module)) upward.push(`${module} → ${imported}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has a layer for every module', () => {
    expect(
      modules(SRC)
        .map(layerOf)
        .every((layer) => layer >= 1),
    ).toBe(true);
  });
});
