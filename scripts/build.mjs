// Builds the extension into dist/extension/ as CommonJS bundles with every dependency inside:
//   index.cjs   the entry: config, node:http sockets, the request pipeline, cache, Extensions API client
//   aws.cjs     the AWS SDK clients, loaded on the first cache miss (with its V8 code cache, code-cache.ts)
//   in-process.cjs  the entry of in-process mode (`node --require in-process.cjs …`: the cache inside the
//               function's own process), the same modules as index.cjs without the Extensions API client
//   errors.cjs  the error classes, required by all of them, so `instanceof` holds across them
//   build-code-cache.cjs  makes aws.cjs's code cache (`parameters-secrets-extension --build-code-cache`),
//               run by `make build` for the project's Node and by the image build for the image's Node
// Splitting keeps the parse cost of the SDK off the path to a listening socket. The entry finds its
// siblings with require('./aws.cjs') relative to itself, so the directory is copied as a whole (the
// launcher runs <dir>/index.cjs). Also writes the package.json bin wrapper, and the
// package.json of every bundled npm package for SBOM scanners (scripts/bundled-packages.mjs).
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeBundledPackages } from './bundled-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'extension/src');
const out = join(root, 'dist/extension');

/** Source modules that are sibling bundles: whoever imports them requires the sibling at run time. */
const SIBLINGS = {
  [join(src, 'backends/aws-backends.ts')]: './aws.cjs',
  [join(src, 'errors.ts')]: './errors.cjs',
};

/** Replaces imports of a sibling's source (other than in the sibling's own bundle) by a require of it. */
const siblings = (own) => ({
  name: 'siblings',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const source = join(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const sibling = SIBLINGS[source];
      if (sibling === undefined || source === own) return undefined;
      return { path: sibling, external: true };
    });
  },
});

/**
 * lru-cache picks its clock at load time with `typeof performance`, and reading that global makes Node
 * load perf_hooks (~0.4 ms of CPU on every cold start), for a clock only lru-cache's own TTLs use, which
 * the cache does not (cache/value-cache.ts). The bundled build (its minified ES module for Node) gets
 * the same choice made on the first now() instead.
 */
const EAGER_CLOCK =
  'typeof performance=="object"&&performance&&typeof performance.now=="function"?performance:Date';
const LAZY_CLOCK = `{now:()=>(lazyLruClock??=(${EAGER_CLOCK})).now()}`;
const lazyLruClock = {
  name: 'lazy-lru-clock',
  setup(pluginBuild) {
    pluginBuild.onLoad(
      { filter: /[\\/]lru-cache[\\/]dist[\\/]esm[\\/]node[\\/]index\.min\.js$/ },
      async (args) => {
        const original = await readFile(args.path, 'utf8');
        // A new lru-cache that picks its clock another way must be looked at again, not bundled as is.
        if (original.split(EAGER_CLOCK).length !== 2) {
          throw new Error(`${args.path}: lru-cache no longer picks its clock as lazy-lru-clock expects`);
        }
        return { contents: `var lazyLruClock;${original.replace(EAGER_CLOCK, LAZY_CLOCK)}`, loader: 'js' };
      },
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'external',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  // Metafile input paths are relative to this, whatever directory the build is started from.
  absWorkingDir: root,
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const results = await Promise.all([
  build({
    ...common,
    entryPoints: [join(src, 'main.ts')],
    outfile: join(out, 'index.cjs'),
    plugins: [siblings(join(src, 'main.ts')), lazyLruClock],
    // import() of a sibling becomes require(): a real import() would start Node's ESM loader (+9 MB RSS).
    supported: { 'dynamic-import': false },
  }),
  build({
    ...common,
    entryPoints: [join(src, 'in-process.ts')],
    outfile: join(out, 'in-process.cjs'),
    plugins: [siblings(join(src, 'in-process.ts')), lazyLruClock],
    supported: { 'dynamic-import': false },
  }),
  build({ ...common, entryPoints: [join(src, 'errors.ts')], outfile: join(out, 'errors.cjs') }),
  build({
    ...common,
    entryPoints: [join(src, 'backends/aws-backends.ts')],
    outfile: join(out, 'aws.cjs'),
    plugins: [siblings(join(src, 'backends/aws-backends.ts'))],
    // The SDK's ES module builds (`module`) let esbuild drop every command we never send; its CommonJS
    // builds (`main`, esbuild's default for node) cannot be tree-shaken: 1.1 MB -> 0.66 MB, less to parse
    // on the first miss and ~2 MB less RSS once loaded (docs/benchmarks.md).
    mainFields: ['module', 'main'],
    // The SDK's `await import('node:http')` would start Node's ESM loader and build an ES module facade
    // of node:http, which reads every export, including the lazy undici-backed ones (WebSocket…):
    // as require() it costs nothing (docs/benchmarks.md).
    supported: { 'dynamic-import': false },
  }),
  build({
    ...common,
    entryPoints: [join(src, 'build-code-cache.ts')],
    outfile: join(out, 'build-code-cache.cjs'),
    plugins: [siblings(join(src, 'build-code-cache.ts'))],
  }),
]);

await writeBundledPackages({ root, out, metafiles: results.map((result) => result.metafile) });

const bin = join(out, 'parameters-secrets-extension.cjs');
await writeFile(bin, "#!/usr/bin/env node\n'use strict';\nrequire('./index.cjs');\n");
await chmod(bin, 0o755);
