import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  codeCacheFile,
  encodeCodeCache,
  isCodeCacheFile,
  LAZY_GLOBALS,
  loadBuiltins,
  openBundle,
  runBundle,
} from '../../../../extension/src/sdk/code-cache.js';

const SOURCE = `'use strict';
const path = require('node:path');
let calls = 0;
exports.describe = (x) => { calls += 1; return { x, calls, base: path.basename(__filename), self: module.exports === exports }; };
`;

describe('openBundle and runBundle', () => {
  let dir: string;
  let bundle: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'code-cache-'));
    bundle = join(dir, 'aws.cjs');
    await writeFile(bundle, SOURCE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (useCache = true) => {
    const opened = openBundle(bundle, useCache);
    const loaded = runBundle(opened);
    const { describe: describeIt } = loaded.exports as { describe: (x: number) => unknown };
    return { opened, cache: loaded.cache, result: describeIt(7), loaded };
  };
  const writeCache = async (builtins: string[] = ['node:zlib'], globals: string[] = []) => {
    const first = run(false);
    await writeFile(
      codeCacheFile(bundle, first.opened.source),
      encodeCodeCache({ builtins, globals }, first.loaded.script.createCachedData()),
    );
    return first;
  };

  it('runs the bundle as CommonJS (require, module, exports, __filename) without a cache', () => {
    const { cache, result, opened } = run();
    expect(cache).toBe('absent');
    expect(opened.header).toBeUndefined();
    expect(result).toEqual({ x: 7, calls: 1, base: 'aws.cjs', self: true });
  });

  it('uses a cache made from the same source, with the same behaviour, and reads its header', async () => {
    const first = await writeCache(['node:zlib', 'node:https'], ['ReadableStream']);
    const second = run();
    expect(second.cache).toBe('used');
    expect(second.opened.header).toEqual({
      builtins: ['node:zlib', 'node:https'],
      globals: ['ReadableStream'],
    });
    expect(second.result).toEqual(first.result);
  });

  it('ignores the cache of another build of the bundle, even of the same length', async () => {
    await writeCache();
    await writeFile(bundle, SOURCE.replace('calls += 1', 'calls += 2'));
    const { cache, result, opened } = run();
    expect(cache).toBe('absent');
    expect(opened.header).toBeUndefined();
    expect(result).toMatchObject({ calls: 2 });
  });

  it('compiles from source when V8 rejects the cache (another node binary, other flags, damage)', async () => {
    await writeFile(
      codeCacheFile(bundle, SOURCE),
      encodeCodeCache({ builtins: [], globals: [] }, Buffer.alloc(4096, 7)),
    );
    const { cache, result } = run();
    expect(cache).toBe('rejected');
    expect(result).toMatchObject({ x: 7, calls: 1 });
  });

  it('treats a file without a valid header as no cache', async () => {
    for (const header of ['{"builtins": "zlib", "globals": []}', '{"builtins": []}', 'not json']) {
      await writeFile(codeCacheFile(bundle, SOURCE), Buffer.from(`${header}\n....`));
      const { cache, opened } = run();
      expect(cache).toBe('absent');
      expect(opened.header).toBeUndefined();
    }
  });

  it("resolves the bundle's require() through the one it is given", async () => {
    const asked: string[] = [];
    const requireFrom = Object.assign((id: string) => {
      asked.push(id);
      return { basename: () => 'from the caller' };
    }, require) as unknown as NodeJS.Require;
    const loaded = runBundle(openBundle(bundle), requireFrom);
    const { describe: describeIt } = loaded.exports as { describe: (x: number) => { base: string } };
    expect(describeIt(1).base).toBe('from the caller');
    expect(asked).toEqual(['node:path']);
  });

  it("loads the header's built-in modules and touches its globals, skipping names that fail", () => {
    const touched: string[] = [];
    const globals = globalThis as unknown as Record<string, unknown>;
    Object.defineProperty(globals, '__probeGlobal', {
      configurable: true,
      get: () => touched.push('__probeGlobal'),
    });
    try {
      const opened = {
        ...openBundle(bundle),
        header: { builtins: ['node:zlib', 'node:no-such-module'], globals: ['__probeGlobal'] },
      };
      expect(() => loadBuiltins(opened)).not.toThrow();
      expect(touched).toEqual(['__probeGlobal']);
    } finally {
      delete globals.__probeGlobal;
    }
  });

  it("names each lazy global's internal module as this Node loads it on first use", () => {
    for (const [name, internal] of Object.entries(LAZY_GLOBALS)) {
      const check = `const has = () => process.moduleLoadList.includes(${JSON.stringify(`NativeModule ${internal}`)});
        const before = has(); void globalThis[${JSON.stringify(name)}]; console.log(before, has());`;
      const out = execFileSync(process.execPath, ['-e', check], { encoding: 'utf8' }).trim();
      expect(`${name}: ${out}`).toBe(`${name}: false true`);
    }
  });

  it('names cache files so that stale ones can be found and removed', async () => {
    const file = codeCacheFile(bundle, SOURCE);
    await writeFile(file, '');
    const names = await readdir(dir);
    expect(names.filter((name) => isCodeCacheFile(bundle, name))).toEqual([file.slice(dir.length + 1)]);
    expect(isCodeCacheFile(bundle, 'aws.cjs')).toBe(false);
    expect(isCodeCacheFile(bundle, 'index.cjs.1234.code-cache')).toBe(false);
  });
});
