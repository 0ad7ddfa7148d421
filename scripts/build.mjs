// Builds the extension into dist/extension/ as three CommonJS bundles with every dependency inside:
//   index.cjs  the entry: config, bare node:http sockets, Extensions API client, cache, /ping, hits, misses
//   app.cjs    fastify: required on the first request the bare path leaves to it (bad input, 401, 404…)
//   aws.cjs    the AWS SDK clients, required on the first cache miss
// Splitting keeps the parse cost of fastify and the SDK off the path to a listening socket. The entry
// finds its siblings with require('./app.cjs') relative to itself, so the directory is copied as a
// whole (the launcher runs <dir>/index.cjs). Also writes the package.json bin wrapper, and the
// package.json of every bundled npm package for SBOM scanners (scripts/bundled-packages.mjs).
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeBundledPackages } from './bundled-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'extension/src');
const out = join(root, 'dist/extension');

/** Source modules that become sibling bundles: the entry loads them with a lazy require. */
const LAZY = {
  './app/build-app.js': './app.cjs',
  './backends/aws-backends.js': './aws.cjs',
};

const lazySiblings = {
  name: 'lazy-siblings',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/(app\/build-app|backends\/aws-backends)\.js$/ }, (args) => {
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
  }),
]);

await writeBundledPackages({ root, out, metafiles: results.map((result) => result.metafile) });

const bin = join(out, 'parameters-secrets-extension.cjs');
await writeFile(bin, "#!/usr/bin/env node\n'use strict';\nrequire('./index.cjs');\n");
await chmod(bin, 0o755);
