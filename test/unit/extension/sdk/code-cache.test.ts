import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  codeCacheFile,
  encodeCodeCache,
  isCodeCacheFile,
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
  const writeCache = async (builtins: string[] = ['node:zlib']) => {
    const first = run(false);
    await writeFile(
      codeCacheFile(bundle, first.opened.source),
      encodeCodeCache({ builtins }, first.loaded.script.createCachedData()),
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
    const first = await writeCache(['node:zlib', 'node:https']);
    const second = run();
    expect(second.cache).toBe('used');
    expect(second.opened.header).toEqual({ builtins: ['node:zlib', 'node:https'] });
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
    await writeFile(codeCacheFile(bundle, SOURCE), encodeCodeCache({ builtins: [] }, Buffer.alloc(4096, 7)));
    const { cache, result } = run();
    expect(cache).toBe('rejected');
    expect(result).toMatchObject({ x: 7, calls: 1 });
  });

  it('treats a file without a valid header as no cache', async () => {
    await writeFile(codeCacheFile(bundle, SOURCE), Buffer.from('{"builtins": "zlib"}\n....'));
    const { cache, opened } = run();
    expect(cache).toBe('absent');
    expect(opened.header).toBeUndefined();
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
