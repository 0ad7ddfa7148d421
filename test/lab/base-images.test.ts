import { afterAll, describe, expect, it } from 'vitest';
import { removeContainer, uniqueContainerName } from './helpers/containers.js';
import { run } from './helpers/run.js';
import { pin } from './helpers/versions.js';

const registry = pin('REGISTRY_ADDR');
const arches = [
  { platform: 'linux/amd64', nodeArch: 'x64', goArch: 'amd64' },
  { platform: 'linux/arm64', nodeArch: 'arm64', goArch: 'arm64' },
] as const;

interface IndexEntry {
  digest: string;
  platform?: { os: string; architecture: string };
}

// The per-platform manifests of a multi-arch image, as the registry serves them.
async function platformDigests(image: string): Promise<Map<string, string>> {
  const { stdout } = await run('docker', [
    'buildx',
    'imagetools',
    'inspect',
    image,
    '--format',
    '{{json .Manifest}}',
  ]);
  const index = JSON.parse(stdout) as { manifests?: IndexEntry[] };
  const digests = new Map<string, string>();
  for (const entry of index.manifests ?? []) {
    if (entry.platform) digests.set(`${entry.platform.os}/${entry.platform.architecture}`, entry.digest);
  }
  return digests;
}

// Runs one command in a container of the image for one platform. The image is addressed by its
// platform manifest's digest, so the engine never retags a shared tag for another platform.
const started: string[] = [];
async function runIn(image: string, platform: string, command: readonly string[]): Promise<string> {
  const repository = image.slice(0, image.lastIndexOf(':'));
  const digest = (await platformDigests(image)).get(platform);
  if (digest === undefined) throw new Error(`${image} has no ${platform} manifest`);
  const name = uniqueContainerName('base');
  started.push(name);
  const { stdout } = await run(
    'docker',
    [
      'run',
      '--rm',
      '--name',
      name,
      '--platform',
      platform,
      '--network',
      'host',
      `${repository}@${digest}`,
      ...command,
    ],
    300_000,
  );
  return stdout.trim();
}

afterAll(async () => {
  await Promise.all(started.map(removeContainer));
});

const suite = pin('DEBIAN_SUITE');

describe.each(
  pin('NODE_MAJORS')
    .split(',')
    .map((major) => ({
      major,
      version: pin(`NODE${major}_VERSION`),
      npm: pin(`NPM_FOR_NODE${major}_VERSION`),
    })),
)('stand-in node:$version-<suite>-slim', ({ major, version, npm }) => {
  const image = `${registry}/library/node:${version}-${suite}-slim`;

  it('is also tagged <major>-<suite>-slim, like the official image', async () => {
    const byMajor = await platformDigests(`${registry}/library/node:${major}-${suite}-slim`);
    expect([...byMajor.entries()]).toEqual([...(await platformDigests(image)).entries()]);
  });

  it('is one index listing linux/amd64 and linux/arm64', async () => {
    const platforms = [...(await platformDigests(image)).keys()];
    expect(platforms).toEqual(expect.arrayContaining(['linux/amd64', 'linux/arm64']));
  });

  it.each(arches)('runs node --version on $platform', async ({ platform, nodeArch }) => {
    const output = await runIn(image, platform, ['node', '-p', 'process.version + " " + process.arch']);
    expect(output).toBe(`v${version} ${nodeArch}`);
  });

  it('is laid out like the official image: npm, headers, user node, NODE_VERSION, CMD node', async () => {
    const script = [
      'npm --version',
      'test -f /usr/local/include/node/node_api.h && echo headers',
      'id -u node',
      'echo "$NODE_VERSION"',
      '. /etc/os-release && echo "$VERSION_CODENAME"',
    ].join(' && ');
    const output = await runIn(image, 'linux/amd64', ['sh', '-c', script]);
    expect(output.split('\n')).toEqual([npm, 'headers', '1000', version, suite]);
    const { stdout } = await run('docker', [
      'buildx',
      'imagetools',
      'inspect',
      image,
      '--format',
      '{{json .Image}}',
    ]);
    const config = (
      JSON.parse(stdout) as Record<string, { config: { Cmd?: string[]; Entrypoint?: string[] } }>
    )['linux/amd64']?.config;
    expect(config?.Cmd).toEqual(['node']);
    expect(config?.Entrypoint).toEqual(['docker-entrypoint.sh']);
  });
});

describe('stand-in golang image', () => {
  const goVersion = pin('GO_VERSION');
  const image = `${registry}/library/golang:${goVersion}-${suite}`;

  it('is one index listing linux/amd64 and linux/arm64', async () => {
    const platforms = [...(await platformDigests(image)).keys()];
    expect(platforms).toEqual(expect.arrayContaining(['linux/amd64', 'linux/arm64']));
  });

  it.each(arches)('runs the pinned go, with git, on $platform', async ({ platform, goArch }) => {
    const output = await runIn(image, platform, [
      'sh',
      '-c',
      'go version && git --version >/dev/null && echo git',
    ]);
    expect(output.split('\n')).toEqual([`go version go${goVersion} linux/${goArch}`, 'git']);
  });
});

// The lock file records the stand-ins' digests, so a fresh machine must get the same ones from the
// same inputs: one stand-in built again with no build cache (lab/base-images.sh reproduce).
describe('stand-in reproducibility', () => {
  const major = pin('NODE_MAJORS').split(',').at(-1) ?? '';
  const version = pin(`NODE${major}_VERSION`);

  it(`rebuilds node:${version}-<suite>-slim without cache, both platforms, to the digest the registry serves`, async () => {
    const { stdout } = await run('lab/base-images.sh', ['reproduce', `node${major}`], 600_000);
    expect(stdout).toMatch(/rebuilt without cache: same digest sha256:[0-9a-f]{64}/);
  });
});
