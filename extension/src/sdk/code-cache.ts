/**
 * Loads a sibling CommonJS bundle (aws.cjs) with a V8 code cache made when the image is built.
 *
 * Compiling the SDK bundle is a large part of the first cache miss (docs/benchmarks.md). Node's own
 * compile cache (NODE_COMPILE_CACHE) cannot be prepared in the image: its directory name includes the
 * uid, which Lambda chooses at run time, and the CPU features of the build machine. V8's code cache
 * itself has neither in its check, so the bundle is compiled here with `vm.Script` and the cache made
 * by build-code-cache.ts after a warm-up (it then holds the functions a real miss compiles lazily).
 *
 * A cache file is one JSON line (its header) and V8's data. The header lists the built-in modules the
 * bundle loaded during the warm-up, and the globals whose first use loaded more of Node's internal
 * modules (`ReadableStream`, `crypto`): they are loaded before the bundle runs, so that the run-time V8
 * flag the extension then sets (young-generation.ts; the cache was made under it) does not make Node
 * compile them from source (webstreams alone: ~0.6 ms from Node's cache, 3–7 ms from source). The file's name carries a hash of the bundle's source: V8 checks only the
 * source's length, so a cache made for another build of the bundle is never even read. V8 rejects a
 * cache made by another Node binary or with other V8 flags; the bundle is then compiled from source.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type vm from 'node:vm';

// This module is part of index.cjs, but does its work only on the first miss: the modules it needs only
// then are taken at that time (node:crypto costs start-up time; the SDK loads it anyway right after).
const builtin = <ID extends 'node:crypto' | 'node:module' | 'node:vm'>(id: ID) =>
  process.getBuiltinModule(id);

export type CacheUse = 'used' | 'rejected' | 'absent';

export interface CacheHeader {
  /** Built-in modules (`node:…`) to load before the bundle runs. */
  readonly builtins: readonly string[];
  /** Globals to touch before the bundle runs: Node loads their internal modules on first use. */
  readonly globals: readonly string[];
}

/**
 * Node's globals that load internal modules on first use, by the module that shows they were used (in
 * `process.moduleLoadList`): build-code-cache.ts lists in the header those the warm-up used.
 */
export const LAZY_GLOBALS: Readonly<Record<string, string>> = {
  ReadableStream: 'internal/webstreams/readablestream',
  WritableStream: 'internal/webstreams/writablestream',
  TransformStream: 'internal/webstreams/transformstream',
  CompressionStream: 'internal/webstreams/compression',
  TextDecoderStream: 'internal/webstreams/encoding',
  crypto: 'internal/crypto/webcrypto',
};

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((name) => typeof name === 'string');

/** A bundle read from disk with its cache, not run yet. */
export interface OpenedBundle {
  readonly file: string;
  readonly source: string;
  /** The cache's header; undefined without a cache for this build of the bundle. */
  readonly header: CacheHeader | undefined;
  readonly cachedData: Buffer | undefined;
}

export interface LoadedBundle {
  readonly exports: unknown;
  /** The compiled script: build-code-cache.ts makes the cache from it after the warm-up. */
  readonly script: vm.Script;
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

/** The file's bytes: the header line, then V8's data. */
export function encodeCodeCache(header: CacheHeader, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), data]);
}

function decodeCodeCache(bytes: Buffer): { header: CacheHeader; data: Buffer } | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Partial<CacheHeader>;
    if (!isStringList(header.builtins) || !isStringList(header.globals)) return undefined;
    return {
      header: { builtins: header.builtins, globals: header.globals },
      data: bytes.subarray(newline + 1),
    };
  } catch {
    return undefined; // not ours: compile from source
  }
}

/** Reads a bundle and, unless `useCache` is false, its cache for this build of it. */
export function openBundle(file: string, useCache = true): OpenedBundle {
  const source = readFileSync(file, 'utf8');
  if (!useCache) return { file, source, header: undefined, cachedData: undefined };
  let bytes: Buffer;
  try {
    bytes = readFileSync(codeCacheFile(file, source));
  } catch {
    // No cache for this build of the bundle (a source checkout, another image): compile from source.
    return { file, source, header: undefined, cachedData: undefined };
  }
  const decoded = decodeCodeCache(bytes);
  return { file, source, header: decoded?.header, cachedData: decoded?.data };
}

type CommonJsWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/**
 * Loads the header's built-in modules and touches its globals (with Node's own code cache, under the
 * start-up flags). One that cannot be loaded here is skipped: the bundle's own use of it then says why.
 */
export function loadBuiltins(bundle: OpenedBundle): void {
  for (const name of bundle.header?.builtins ?? []) {
    try {
      process.getBuiltinModule(name);
    } catch {
      // left to the bundle
    }
  }
  const globals = globalThis as unknown as Record<string, unknown>;
  for (const name of bundle.header?.globals ?? []) {
    try {
      void globals[name];
    } catch {
      // left to the bundle
    }
  }
}

/**
 * Runs the bundle as require() would, compiled with its cache when there is one. `requireFrom` is the
 * bundle's require(): the caller's own when it lives in the same directory (the extension's index.cjs),
 * which spares node:module and the ES module loader it brings (~1–4 ms once the V8 flag is set, when
 * Node compiles them from source); by default one made for the bundle's file.
 */
export function runBundle(
  bundle: OpenedBundle,
  requireFrom: NodeJS.Require = builtin('node:module').createRequire(bundle.file),
): LoadedBundle {
  const { file, source, cachedData } = bundle;
  // Node's own CommonJS wrapper, on the same line as the code so positions in stack traces stay right.
  const script = new (builtin('node:vm').Script)(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: file, ...(cachedData === undefined ? {} : { cachedData }) },
  );
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  wrapper.call(module.exports, module.exports, requireFrom, module, file, dirname(file));
  const cache: CacheUse =
    cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: module.exports, script, cache };
}
