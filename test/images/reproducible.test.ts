import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/command.js';
import { deleteImage, fetchImageConfig, fetchManifest } from './helpers/registry.js';
import { runId, settings } from './helpers/settings.js';

// Reproducible images: the same commit built twice, each time with BuildKit's cache off
// (--no-cache: every step runs again; only the download caches of npm, Go and apt are shared),
// gives the same per-platform manifest digests. (Not the same index: its attestation manifests
// record when and in which BuildKit invocation the build ran.) The image: the newest Node major, on
// every platform under test. Only from an empty cache: a warm cache may reuse a layer built before the
// commit, whose file times predate SOURCE_DATE_EPOCH and are kept (rewrite-timestamp only clamps
// later times), see docs/images.md. Two builds of one image and both platforms take 5-20 minutes,
// so this runs in `make test-reproducible` (IMAGES_REPRODUCE_BUILDS=2), not in `make test`.
const root = fileURLToPath(new URL('../..', import.meta.url));
const major = settings.nodeMajors.at(-1) ?? '26';
const builds = Number(process.env.IMAGES_REPRODUCE_BUILDS ?? '0');
const epoch = process.env.SOURCE_DATE_EPOCH ?? '';
const platforms = settings.architectures.map((arch) => `linux/${arch}`);
const rebuilt = Array.from(
  { length: builds },
  (_, index) => `${settings.imagesRegistry}/${settings.repository}-reproduce:${major}-${runId}-${index}`,
);

/** Index digest and platform -> image manifest digest (attestation manifests left out). */
async function digests(reference: string): Promise<{ index: string; platforms: Record<string, string> }> {
  const { stdout } = await runCommand(
    'docker',
    ['buildx', 'imagetools', 'inspect', reference, '--format', '{{json .Manifest}}'],
    {
      timeoutMs: 60_000,
    },
  );
  const index = JSON.parse(stdout.toString()) as {
    digest: string;
    manifests?: { digest: string; platform?: { os: string; architecture: string } }[];
  };
  const byPlatform: Record<string, string> = {};
  for (const entry of index.manifests ?? []) {
    if (entry.platform && entry.platform.os !== 'unknown')
      byPlatform[`${entry.platform.os}/${entry.platform.architecture}`] = entry.digest;
  }
  return { index: index.digest, platforms: byPlatform };
}

/** The image's bake target, built again from scratch and pushed under another tag. */
async function rebuild(tag: string): Promise<void> {
  const env = ['REGISTRY', 'REPOSITORY', 'CACERT', 'SOURCE_DATE_EPOCH', 'PLATFORMS'].flatMap((key) => [
    '-u',
    key,
  ]);
  const cacert = process.env.CACERT ?? '';
  await runCommand(
    'env',
    [
      '-C',
      root,
      ...env,
      `REGISTRY=${settings.imagesRegistry}`,
      `REPOSITORY=${settings.repository}`,
      `CACERT=${cacert}`,
      `SOURCE_DATE_EPOCH=${epoch}`,
      `PLATFORMS=${platforms.join(',')}`,
      'docker',
      'buildx',
      'bake',
      '--builder',
      settings.builder,
      '--progress',
      'plain',
      ...(cacert === '' ? [] : ['--allow', `fs.read=${cacert.slice(0, cacert.lastIndexOf('/') + 1)}`]),
      '--no-cache',
      '--set',
      `node-${major}.tags=${tag}`,
      '--push',
      `node-${major}`,
    ],
    { timeoutMs: 1_200_000 },
  );
}

afterAll(async () => {
  await Promise.all(rebuilt.map((tag) => deleteImage(tag).catch(() => undefined)));
});

describe.skipIf(builds < 2)(`lambda-nodejs:${major}, built ${builds} times with no build cache`, () => {
  it('is built with the commit time as SOURCE_DATE_EPOCH (set by mk/images.mk)', () => {
    expect(epoch).toMatch(/^\d{9,}$/);
  });

  it(
    `gives one manifest digest per platform (${platforms.join(' + ')})`,
    async () => {
      const seen: { index: string; platforms: Record<string, string> }[] = [];
      for (const tag of rebuilt) {
        const started = Date.now();
        await rebuild(tag);
        const again = await digests(tag);
        console.info(
          `${tag}: built in ${((Date.now() - started) / 1000).toFixed(0)} s, index ${again.index} ${JSON.stringify(again.platforms)}`,
        );
        expect(Object.keys(again.platforms).sort()).toEqual([...platforms].sort());
        seen.push(again);
      }
      for (const other of seen.slice(1)) expect(other.platforms).toEqual(seen[0]?.platforms);
      // The image config's creation time is the commit's, not the build's.
      const reference = `${rebuilt[0]?.slice(0, rebuilt[0].lastIndexOf(':'))}@${seen[0]?.platforms[platforms[0] ?? ''] ?? ''}`;
      const config = (await fetchImageConfig(reference, await fetchManifest(reference))) as {
        created?: string;
      };
      expect(config.created).toBe(new Date(Number(epoch) * 1000).toISOString().replace('.000Z', 'Z'));
    },
    1_500_000 * Math.max(1, builds),
  );
});
