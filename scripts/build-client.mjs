// Builds the client module into dist/client/, the directory the images copy to
// /opt/nodejs/node_modules/parameters-secrets (on NODE_PATH):
//   index.cjs     the whole client, one CommonJS bundle, no dependencies but node:net
//   index.mjs     ES module face of the same bundle, so both kinds of import share one agent and
//                 one error class (`instanceof` works across them). It loads the bundle with
//                 createRequire, not `import … from './index.cjs'`: that would send the bundle through
//                 the ESM loader's CommonJS translation (export detection), which doubled the CPU
//                 time of a fresh process's first read (~22 ms → ~10 ms measured on a loaded machine)
//   *.d.ts        declarations (tsc), package.json with `exports` for import and require
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/client');
export const CLIENT_NAME = 'parameters-secrets';

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'client/src/index.ts')],
  outfile: join(out, 'index.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  logLevel: 'warning',
});

// The names the bundle exports, read from the bundle itself so the ES face cannot drift from it.
const names = Object.keys(createRequire(import.meta.url)(join(out, 'index.cjs'))).sort();
writeFileSync(
  join(out, 'index.mjs'),
  [
    "import { createRequire } from 'node:module';",
    '',
    "const client = createRequire(import.meta.url)('./index.cjs');",
    `export const { ${names.join(', ')} } = client;`,
    'export default client;',
    '',
  ].join('\n'),
);

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
