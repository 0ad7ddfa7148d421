// Builds the extension into dist/extension/ as CommonJS bundles with every dependency inside:
//   index.cjs  the entry: config, bare node:http sockets, Extensions API client, cache, /ping, hits, misses
//   app.cjs    fastify: required on the first request the bare path leaves to it (bad input, 401, 404…)
//   aws.cjs    the AWS SDK clients, loaded on the first cache miss (with its V8 code cache, code-cache.ts)
//   build-code-cache.cjs  makes that code cache (`parameters-secrets-extension --build-code-cache`), run
//              by `make build` for the project's Node and by the image build for the image's Node
// Splitting keeps the parse cost of fastify and the SDK off the path to a listening socket. The entry
// finds its siblings with require('./app.cjs') relative to itself, so the directory is copied as a
// whole (the launcher runs <dir>/index.cjs). Also writes the package.json bin wrapper.
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'extension/src');
const out = join(root, 'dist/extension');

/** Source modules that become sibling bundles: the entry loads them with a lazy require. */
const LAZY = {
  './app/build-app.js': './app.cjs',
};

const lazySiblings = {
  name: 'lazy-siblings',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/app\/build-app\.js$/ }, (args) => {
      if (args.importer !== join(src, 'main.ts')) return undefined;
      return { path: LAZY[args.path], external: true };
    });
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
};

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await Promise.all([
  build({
    ...common,
    entryPoints: [join(src, 'main.ts')],
    outfile: join(out, 'index.cjs'),
    plugins: [lazySiblings],
    // import() of a sibling becomes require(): a real import() would start Node's ESM loader (+9 MB RSS).
    supported: { 'dynamic-import': false },
  }),
  build({ ...common, entryPoints: [join(src, 'app/build-app.ts')], outfile: join(out, 'app.cjs') }),
  build({
    ...common,
    entryPoints: [join(src, 'backends/aws-backends.ts')],
    outfile: join(out, 'aws.cjs'),
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
  }),
]);

const bin = join(out, 'parameters-secrets-extension.cjs');
await writeFile(bin, "#!/usr/bin/env node\n'use strict';\nrequire('./index.cjs');\n");
await chmod(bin, 0o755);
