import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheFile, isCodeCacheFile, loadBundle } from '../../../extension/src/code-cache.js';

const SOURCE = `'use strict';
const path = require('node:path');
let calls = 0;
exports.describe = (x) => { calls += 1; return { x, calls, base: path.basename(__filename), self: module.exports === exports }; };
`;

describe('loadBundle', () => {
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
    const loaded = loadBundle(bundle, useCache);
    const { describe: describeIt } = loaded.exports as { describe: (x: number) => unknown };
    return { cache: loaded.cache, result: describeIt(7), loaded };
  };

  it('runs the bundle as CommonJS (require, module, exports, __filename) without a cache', () => {
    const { cache, result } = run();
    expect(cache).toBe('absent');
    expect(result).toEqual({ x: 7, calls: 1, base: 'aws.cjs', self: true });
  });

  it('uses a cache made from the same source, with the same behaviour', async () => {
    const first = run(false);
    await writeFile(codeCacheFile(bundle, first.loaded.source), first.loaded.script.createCachedData());
    const second = run();
    expect(second.cache).toBe('used');
    expect(second.result).toEqual(first.result);
  });

  it('ignores the cache of another build of the bundle, even of the same length', async () => {
    const first = run(false);
    await writeFile(codeCacheFile(bundle, first.loaded.source), first.loaded.script.createCachedData());
    await writeFile(bundle, SOURCE.replace('calls += 1', 'calls += 2'));
    const { cache, result } = run();
    expect(cache).toBe('absent');
    expect(result).toMatchObject({ calls: 2 });
  });

  it('compiles from source when V8 rejects the cache (another node binary, other flags, damage)', async () => {
    await writeFile(codeCacheFile(bundle, SOURCE), Buffer.alloc(4096, 7));
    const { cache, result } = run();
    expect(cache).toBe('rejected');
    expect(result).toMatchObject({ x: 7, calls: 1 });
  });

  it('names cache files so that stale ones can be found and removed', async () => {
    const file = codeCacheFile(bundle, SOURCE);
    await writeFile(file, '');
    const names = await readdir(dir);
    expect(names.filter((name) => isCodeCacheFile(bundle, name))).toEqual([file.slice(dir.length + 1)]);
    expect(isCodeCacheFile(bundle, 'aws.cjs')).toBe(false);
    expect(isCodeCacheFile(bundle, 'app.cjs.1234.code-cache')).toBe(false);
  });
});
