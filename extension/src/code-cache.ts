/**
 * Loads a sibling CommonJS bundle (aws.cjs) with a V8 code cache made when the image is built.
 *
 * Compiling the SDK bundle is a large part of the first cache miss (docs/benchmarks.md). Node's own
 * compile cache (NODE_COMPILE_CACHE) cannot be prepared in the image: its directory name includes the
 * uid, which Lambda chooses at run time, and the CPU features of the build machine. V8's code cache
 * itself has neither in its check, so the bundle is compiled here with `vm.Script` and the cache made
 * by build-code-cache.ts after a warm-up (it then holds the functions a real miss compiles lazily).
 *
 * The cache file's name carries a hash of the bundle's source: V8 checks only the source's length, so
 * a cache made for another build of the bundle is never even read. V8 rejects a cache made by another
 * Node binary or with other V8 flags; the bundle is then compiled from source as without a cache.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type vm from 'node:vm';

// This module is part of index.cjs, but does its work only on the first miss: the modules it needs only
// then are taken at that time (node:crypto costs start-up time; the SDK loads it anyway right after).
const builtin = <ID extends 'node:crypto' | 'node:module' | 'node:vm'>(id: ID) =>
  process.getBuiltinModule(id);

export type CacheUse = 'used' | 'rejected' | 'absent';

export interface LoadedBundle {
  readonly exports: unknown;
  /** The compiled script: build-code-cache.ts makes the cache from it after the warm-up. */
  readonly script: vm.Script;
  readonly source: string;
  readonly cache: CacheUse;
}

/** `aws.cjs` → `aws.cjs.<hash of its source>.code-cache`, next to it. */
export function codeCacheFile(bundleFile: string, source: string): string {
  return join(
    dirname(bundleFile),
    `${basename(bundleFile)}.${builtin('node:crypto').hash('sha1', source).slice(0, 16)}.code-cache`,
  );
}

export const isCodeCacheFile = (bundleFile: string, name: string): boolean =>
  name.startsWith(`${basename(bundleFile)}.`) && name.endsWith('.code-cache');

type CommonJsWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/** require() for a bundle, with its code cache when there is one (`useCache: false`: compile from source). */
export function loadBundle(bundleFile: string, useCache = true): LoadedBundle {
  const source = readFileSync(bundleFile, 'utf8');
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      cachedData = readFileSync(codeCacheFile(bundleFile, source));
    } catch {
      // No cache for this build of the bundle (a source checkout, another image): compile from source.
    }
  }
  // Node's own CommonJS wrapper, on the same line as the code so positions in stack traces stay right.
  const script = new (builtin('node:vm').Script)(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    {
      filename: bundleFile,
      ...(cachedData === undefined ? {} : { cachedData }),
    },
  );
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  wrapper.call(
    module.exports,
    module.exports,
    builtin('node:module').createRequire(bundleFile),
    module,
    bundleFile,
    dirname(bundleFile),
  );
  const cache: CacheUse =
    cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: module.exports, script, source, cache };
}
