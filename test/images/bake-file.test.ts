import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLock } from '../../scripts/pins/lock-file.js';
import { bakePrint } from './helpers/bake.js';
import { pinned } from './helpers/settings.js';

// docker-bake.hcl resolves without building, and carries what Lambda and an offline build need.
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('docker-bake.hcl', () => {
  it('resolves with --print: a default group of one image per Node major plus the extension image', async () => {
    const definition = await bakePrint();
    const expanded = definition.group.default?.targets.flatMap(
      (name) => definition.group[name]?.targets ?? [name],
    );
    const majors = pinned('NODE_MAJORS').split(',');
    expect(majors).toEqual(['22', '24', '26']);
    expect(expanded?.sort()).toEqual(['extension', ...majors.map((major) => `node-${major}`)]);
    expect(definition.target['node-24']?.args?.NODE_MAJOR).toBe('24');
    expect(definition.target['node-22']?.tags).toEqual(['127.0.0.1:5000/lambda-nodejs:22']);
  });

  it('builds every target for amd64 and arm64 with max-mode provenance and an SBOM', async () => {
    const definition = await bakePrint();
    for (const [name, target] of Object.entries(definition.target)) {
      expect(target.platforms, name).toEqual(['linux/amd64', 'linux/arm64']);
      const attest = target.attest ?? [];
      expect(
        attest.find((a) => a.type === 'provenance'),
        name,
      ).toMatchObject({ mode: 'max' });
      expect(
        attest.find((a) => a.type === 'sbom'),
        name,
      ).toBeDefined();
      expect(
        attest.some((a) => String(a.disabled) === 'true'),
        name,
      ).toBe(false);
    }
  });

  it('runs the SBOM step with the scanner SBOM_GENERATOR names, BuildKit default when empty', async () => {
    const generator = '127.0.0.1:5000/scanners/sbom:1';
    const definition = await bakePrint({ SBOM_GENERATOR: generator });
    for (const [name, target] of Object.entries(definition.target)) {
      expect(
        target.attest?.find((a) => a.type === 'sbom'),
        name,
      ).toMatchObject({ generator });
    }
    const byDefault = await bakePrint();
    expect(byDefault.target.extension?.attest?.find((a) => a.type === 'sbom')).not.toHaveProperty(
      'generator',
    );
  });

  it('takes the registry, tag, majors and platforms from variables', async () => {
    const definition = await bakePrint({
      REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      TAG: '2026.11',
      NODE_MAJORS: '24',
      PLATFORMS: 'linux/arm64',
    });
    expect(Object.keys(definition.target).sort()).toEqual(['extension', 'node-24']);
    expect(definition.target['node-24']?.tags).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/lambda-nodejs:24',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/lambda-nodejs:24-2026.11',
    ]);
    expect(definition.target.extension?.tags).toEqual([
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/lambda-nodejs-extension:2026.11',
    ]);
    expect(definition.target['node-24']?.platforms).toEqual(['linux/arm64']);
  });

  it('builds FROM the digests images/bases.lock records, on the pinned Debian suite', async () => {
    const definition = await bakePrint();
    const lock = parseLock(readFileSync(`${root}/images/bases.lock`, 'utf8'));
    const suite = pinned('DEBIAN_SUITE');
    expect(suite).toBe('trixie');
    const locked = (reference: string) =>
      `${reference}@${lock.get(reference) ?? 'missing from images/bases.lock'}`;
    for (const major of pinned('NODE_MAJORS').split(',')) {
      const args = definition.target[`node-${major}`]?.args;
      expect(args?.NODE_IMAGE).toBe(
        locked(`docker.io/library/node:${pinned(`NODE${major}_VERSION`)}-${suite}-slim`),
      );
      expect(args?.GOLANG_IMAGE).toBe(locked(`docker.io/library/golang:${pinned('GO_VERSION')}-${suite}`));
      expect(args?.BUILD_NODE_IMAGE).toBe(
        locked(`docker.io/library/node:${pinned(`NODE${pinned('BUILD_NODE_MAJOR')}_VERSION`)}-${suite}-slim`),
      );
    }
  });

  it('still resolves another suite when asked (bookworm), from its tags: only the pinned suite is locked', async () => {
    const definition = await bakePrint({ DEBIAN_SUITE: 'bookworm' });
    expect(definition.target['node-26']?.args?.NODE_IMAGE).toBe(
      `docker.io/library/node:${pinned('NODE26_VERSION')}-bookworm-slim`,
    );
  });

  it('exports reproducibly: rewrite-timestamp, and SOURCE_DATE_EPOCH when given', async () => {
    const plain = await bakePrint();
    for (const [name, target] of Object.entries(plain.target)) {
      expect(target.output, name).toEqual([{ type: 'image', 'rewrite-timestamp': 'true' }]);
      expect(target.args?.SOURCE_DATE_EPOCH, name).toBeUndefined();
    }
    const dated = await bakePrint({ SOURCE_DATE_EPOCH: '1700000000' });
    expect(dated.target['node-22']?.args?.SOURCE_DATE_EPOCH).toBe('1700000000');
  });

  it('has no Dockerfile with a # syntax= line (that would pull a frontend image)', () => {
    for (const file of [
      'images/Dockerfile',
      'examples/Dockerfile',
      'examples/aws-base.Dockerfile',
      'test/images/fixtures/aws-base/Dockerfile',
    ]) {
      expect(readFileSync(`${root}/${file}`, 'utf8'), file).not.toMatch(/^#\s*syntax\s*=/im);
    }
  });
});
