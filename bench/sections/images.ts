/**
 * 6. Image size next to the base, per architecture: compressed (sum of the layer sizes in the
 * registry's manifests, what a pull transfers and what ECR bills) for every image, and uncompressed
 * (`docker image inspect` .Size after a pull) for this machine's architecture.
 */
import { readFileSync } from 'node:fs';
import { nodeMajors, parsePins, requirePin } from '../../scripts/pins/env-file.js';
import { BASE_REPOSITORY, compressedSizes, docker, machineArch, REGISTRY } from '../lib/docker.js';
import { fixed } from '../lib/stats.js';
import type { Table } from '../lib/table.js';

const MB = 1e6;

interface Pair {
  readonly image: [string, string];
  /** undefined: FROM scratch. */
  readonly base: [string, string] | undefined;
}

// One image per pinned Node major, next to its node:<version>-<suite>-slim base.
const pins = parsePins(readFileSync('lab/versions.env', 'utf8'));
const PAIRS: readonly Pair[] = [
  ...nodeMajors(pins).map(
    (major): Pair => ({
      image: [BASE_REPOSITORY, major],
      base: [
        'library/node',
        `${requirePin(pins, `NODE${major}_VERSION`)}-${requirePin(pins, 'DEBIAN_SUITE')}-slim`,
      ],
    }),
  ),
  { image: [`${BASE_REPOSITORY}-extension`, 'latest'], base: undefined },
];

async function uncompressed(repository: string, tag: string): Promise<number> {
  const ref = `${REGISTRY}/${repository}:${tag}`;
  await docker(['pull', '--quiet', '--platform', `linux/${machineArch()}`, ref], 300_000);
  return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', ref], 30_000)).trim());
}

export async function imagesSection(table: Table): Promise<void> {
  for (const { image, base } of PAIRS) {
    const sizes = await compressedSizes(...image);
    if (sizes.size === 0) {
      table.note(`6 image size: ${REGISTRY}/${image.join(':')} is missing (run make images).`);
      continue;
    }
    const baseSizes = base === undefined ? new Map<string, number>() : await compressedSizes(...base);
    for (const [arch, size] of sizes) {
      const baseSize = base === undefined ? 0 : (baseSizes.get(arch) ?? Number.NaN);
      const added = (size - baseSize) / MB;
      table.add({
        section: '6 image size',
        what: `${image.join(':')} ${arch}, compressed (registry layers), MB`,
        value: fixed(size / MB),
        baseline: base === undefined ? 'FROM scratch' : `${base.join(':')}: ${fixed(baseSize / MB)}`,
        ratio: `+${fixed(added)} MB`,
        target: added <= 30 ? 'met (≤ +30 MB)' : `MISSED by ${fixed(added - 30)} MB (≤ +30 MB)`,
      });
    }
    if (base !== undefined) {
      const [mine, theirs] = [await uncompressed(...image), await uncompressed(...base)];
      table.add({
        section: '6 image size',
        what: `${image.join(':')} ${machineArch()}, uncompressed (docker image inspect), MB`,
        value: fixed(mine / MB),
        baseline: `${base.join(':')}: ${fixed(theirs / MB)}`,
        ratio: `+${fixed((mine - theirs) / MB)} MB`,
        target: '—',
      });
    }
  }
}
