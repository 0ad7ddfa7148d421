import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLock } from '../../scripts/pins/lock-file.js';
import { runCommand } from '../helpers/command.js';
import { pinned } from './helpers/settings.js';

// docker-bake.hcl resolves without building, and carries what Lambda and an offline build need.
const root = fileURLToPath(new URL('../..', import.meta.url));

interface BakeTarget {
  readonly platforms?: string[];
  readonly attest?: { type: string; disabled?: boolean | string }[];
  readonly args?: Record<string, string>;
  readonly tags?: string[];
  readonly target?: string;
  readonly output?: Record<string, string>[];
}

async function bakePrint(environment: Record<string, string> = {}): Promise<{
  group: Record<string, { targets: string[] }>;
  target: Record<string, BakeTarget>;
}> {
  // The bake file's own defaults unless a test sets a variable: drop any inherited from the caller.
  const inherited = [
    'REGISTRY',
    'REPOSITORY',
    'TAG',
    'NODE_MAJORS',
    'PLATFORMS',
    'CACERT',
    'DEBIAN_SUITE',
    'SOURCE_DATE_EPOCH',
    'GO_VERSION',
    'RIE_VERSION',
  ].flatMap((key) => ['-u', key]);
  const variables = Object.entries(environment).map(([key, value]) => `${key}=${value}`);
  const command = ['-C', root, ...inherited, ...variables, 'docker', 'buildx', 'bake', '--print'];
  const { stdout } = await runCommand('env', command, { timeoutMs: 60_000 });
  return JSON.parse(stdout.toString());
}

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

  it('builds every target for amd64 and arm64 with provenance and SBOM attestations off', async () => {
    const definition = await bakePrint();
    for (const [name, target] of Object.entries(definition.target)) {
      expect(target.platforms, name).toEqual(['linux/amd64', 'linux/arm64']);
      const disabled = (target.attest ?? []).filter((a) => String(a.disabled) === 'true').map((a) => a.type);
      expect(disabled.sort(), name).toEqual(['provenance', 'sbom']);
    }
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
