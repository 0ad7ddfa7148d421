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

describe.each([
  { major: '22', version: pin('NODE22_VERSION'), npm: pin('NPM_FOR_NODE22_VERSION') },
  { major: '24', version: pin('NODE24_VERSION'), npm: pin('NPM_FOR_NODE24_VERSION') },
])('stand-in node:$major-bookworm-slim', ({ major, version, npm }) => {
  const image = `${registry}/library/node:${major}-bookworm-slim`;

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
    ].join(' && ');
    const output = await runIn(image, 'linux/amd64', ['sh', '-c', script]);
    expect(output.split('\n')).toEqual([npm, 'headers', '1000', version]);
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
  const image = `${registry}/library/golang:${goVersion.split('.').slice(0, 2).join('.')}-bookworm`;

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
