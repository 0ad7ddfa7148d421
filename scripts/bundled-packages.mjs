// The npm packages esbuild inlined into the extension's bundles, written back out as the
// package.json files an SBOM scanner reads: <out>/node_modules/<name>/package.json per package
// (name, version, license only: no entry point, so nothing can be required from them) and
// <out>/package.json for the extension itself. A bundle hides its dependencies from scanners
// (syft, trivy, grype look for installed package.json files); this puts them back, exactly the
// versions that went in, and nothing that did not (devDependencies, unused SDK clients).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The package directories (relative to the repository root) that bundle inputs come from, e.g.
 * `node_modules/@aws-sdk/client-ssm/dist-es/index.js` -> `node_modules/@aws-sdk/client-ssm`.
 * Nested installs (`node_modules/a/node_modules/b/...`) give the innermost package.
 * @param {Iterable<string>} inputs esbuild metafile input paths
 * @returns {string[]} sorted, without duplicates
 */
export function packageDirsOf(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const parts = input.slice(at + 'node_modules/'.length).split('/');
    const name = parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    if (name) dirs.add(`${input.slice(0, at)}node_modules/${name}`);
  }
  return [...dirs].sort();
}

/** The fields of a package.json that identify a package in an SBOM. */
function identity(manifest) {
  const { name, version, license } = manifest;
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`package.json without name/version: ${JSON.stringify({ name, version })}`);
  }
  return license === undefined ? { name, version } : { name, version, license };
}

/**
 * Writes the manifests for the packages behind `metafiles`' inputs into `out`.
 * @param {{ root: string, out: string, metafiles: { inputs: Record<string, unknown> }[] }} options
 * @returns {Promise<string[]>} `name@version` of every bundled package
 */
export async function writeBundledPackages({ root, out, metafiles }) {
  const readManifest = async (dir) => JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8'));
  const dirs = packageDirsOf(metafiles.flatMap((metafile) => Object.keys(metafile.inputs)));
  const written = [];
  for (const dir of dirs) {
    const manifest = identity(await readManifest(dir));
    const target = join(out, 'node_modules', manifest.name);
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    written.push(`${manifest.name}@${manifest.version}`);
  }
  const self = identity(await readManifest('.'));
  await writeFile(join(out, 'package.json'), `${JSON.stringify(self, null, 2)}\n`);
  return written;
}
