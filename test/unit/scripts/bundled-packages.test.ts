import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageDirsOf, writeBundledPackages } from '../../../scripts/bundled-packages.mjs';

// The extension's bundle inlines its npm dependencies; SBOM scanners only see them through the
// package.json files scripts/bundled-packages.mjs writes next to the bundle.
describe('packageDirsOf', () => {
  it('maps bundle inputs to the package directories they come from, scoped and nested alike', () => {
    expect(
      packageDirsOf([
        'extension/src/main.ts',
        'node_modules/fastify/lib/route.js',
        'node_modules/fastify/fastify.js',
        'node_modules/@aws-sdk/client-ssm/dist-es/index.js',
        'node_modules/@smithy/core/dist-es/submodules/cbor/index.js',
        'node_modules/ajv-formats/node_modules/ajv/dist/ajv.js',
      ]),
    ).toEqual([
      'node_modules/@aws-sdk/client-ssm',
      'node_modules/@smithy/core',
      'node_modules/ajv-formats/node_modules/ajv',
      'node_modules/fastify',
    ]);
  });

  it('ignores inputs outside node_modules (our own sources)', () => {
    expect(packageDirsOf(['extension/src/cache/lru.ts', 'scripts/build.mjs'])).toEqual([]);
  });
});

describe('writeBundledPackages', () => {
  const out = mkdtempSync(join(tmpdir(), 'bundled-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("writes each bundled package's name, version and license, and the extension's own", async () => {
    const written = await writeBundledPackages({
      root: process.cwd(),
      out,
      metafiles: [{ inputs: { 'node_modules/lru-cache/dist/commonjs/index.js': {} } }],
    });
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
    const version = lock.packages['node_modules/lru-cache'].version;
    expect(written).toEqual([`lru-cache@${version}`]);
    const manifest = JSON.parse(readFileSync(join(out, 'node_modules/lru-cache/package.json'), 'utf8'));
    expect(manifest).toEqual({
      name: 'lru-cache',
      version,
      license: lock.packages['node_modules/lru-cache'].license,
    });
    const self = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(self).toMatchObject({ name: 'lambda-nodejs-parameters-secrets', version: lock.version });
  });
});
