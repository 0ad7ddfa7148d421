// Builds the client module into dist/client/, the directory the images copy to
// /opt/nodejs/node_modules/parameters-secrets (on NODE_PATH):
//   index.cjs     the whole client, one CommonJS bundle, no dependencies but node:net
//   index.mjs     the same client as one ES module bundle. Two bundles, not one face loading the
//                 other: an ES face that loaded index.cjs (createRequire) cost a function's first read
//                 ~0.6 ms of CPU, one that imported it went through the ESM loader's CommonJS
//                 translation (twice the CPU), and a CommonJS face that require()d an ES bundle cost
//                 CommonJS functions ~1.5 ms. A process that uses both gets two connection pools;
//                 `instanceof ParametersSecretsError` holds across them (client/src/errors.ts).
//   *.d.ts        declarations (tsc), package.json with `exports` for import and require
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/client');
export const CLIENT_NAME = 'parameters-secrets';

rmSync(out, { recursive: true, force: true });
for (const format of ['cjs', 'esm']) {
  await build({
    entryPoints: [join(root, 'client/src/index.ts')],
    outfile: join(out, format === 'cjs' ? 'index.cjs' : 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format,
    logLevel: 'warning',
  });
}

// Both faces must export the same names.
const cjsNames = Object.keys(createRequire(import.meta.url)(join(out, 'index.cjs'))).sort();
const esmNames = Object.keys(await import(pathToFileURL(join(out, 'index.mjs')).href)).sort();
if (cjsNames.join() !== esmNames.join()) {
  throw new Error(`index.cjs exports ${cjsNames.join(', ')} but index.mjs ${esmNames.join(', ')}`);
}

execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'client/tsconfig.json')],
  {
    stdio: 'inherit',
  },
);

const { version, license } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = {
  name: CLIENT_NAME,
  version,
  description:
    'Reads parameters and secrets through the Parameters and Secrets Lambda extension in the same sandbox',
  license,
  type: 'commonjs',
  main: './index.cjs',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', import: './index.mjs', require: './index.cjs' },
    './package.json': './package.json',
  },
  engines: { node: '>=22' },
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
