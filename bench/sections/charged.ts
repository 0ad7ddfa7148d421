/**
 * 2b. What the extension costs a sandbox's memory, under the RIE in our image: the container's charged
 * memory (its memory cgroup, lib/charged-memory.ts) for the same function (bench/coldstart/reader.mjs)
 * on the cold-start bench's two images, with and without the extension, idle (after init and an
 * invoke that reads nothing) and, with the extension, after reading 100 and then 1,000 distinct
 * values through it (both SDK clients loaded, the cache full); next to it the extension process's
 * RSS, PSS and private memory inside that container. Each figure is taken after SETTLE_MS of quiet.
 *
 * The engine charges a page-cache page to the cgroup that first read it: file pages of the `node`
 * binary already cached by an earlier container are charged to neither variant, as the runtime's and
 * the extension's `node` share them in a sandbox. Anonymous memory (heaps, buffers) is always charged.
 */
import {
  type ChargedMemory,
  cgroupPids,
  chargedMemory,
  findProcess,
  memoryCgroup,
  type ProcessMemory,
  processMemory,
} from '../lib/charged-memory.js';
import { BASE_REPOSITORY, imageExists, machineArch, REGISTRY } from '../lib/docker.js';
import { withFixtures } from '../lib/moto.js';
import { sleep } from '../lib/processes.js';
import { fixed, median } from '../lib/stats.js';
import type { Table } from '../lib/table.js';
import { BASE_TAG, build, invoke, startFunction } from './coldstart.js';

const SETTLE_MS = 1_000;
export const MB = 1e6 / 2 ** 20; // MiB per MB
const COUNTS = [100, 1_000] as const;

export interface Sample {
  readonly charged: ChargedMemory;
  /** The process whose command line contains `processNeedle` (the extension's, by default). */
  readonly extension: ProcessMemory | undefined;
}

/** Charged memory idle and after reading each of `counts` values, plus one process's memory. */
export async function measure(
  image: string,
  platform: string,
  counts: readonly number[],
  environment: Record<string, string> = {},
  processNeedle = 'parameters-secrets-extension/index.cjs',
): Promise<Sample[]> {
  const container = await startFunction(image, platform, 'reader.handler', environment);
  try {
    const cgroup = memoryCgroup(container.pid);
    const samples: Sample[] = [];
    for (const count of [0, ...counts]) {
      await invoke(container.invokePort, { count });
      await sleep(SETTLE_MS);
      const pid = findProcess(cgroupPids(cgroup), processNeedle);
      samples.push({
        charged: chargedMemory(cgroup),
        extension: pid === undefined ? undefined : processMemory(pid),
      });
    }
    await container.stop();
    return samples;
  } catch (error) {
    return container.fail(error);
  }
}

/** "met (+8.1 MB ≤ +10 MB)" for an added amount in MiB against a limit in MB. */
export function addedAtMost(addedMiB: number, limitMB: number): string {
  const mb = addedMiB / MB;
  return mb <= limitMB ? `met (≤ +${limitMB} MB)` : `MISSED by ${fixed(mb - limitMB)} MB (≤ +${limitMB} MB)`;
}

export async function chargedSection(table: Table, reps: number): Promise<void> {
  if (!(await imageExists(BASE_REPOSITORY, BASE_TAG))) {
    table.note(
      `2b charged memory: not measured, ${REGISTRY}/${BASE_REPOSITORY}:${BASE_TAG} is missing (run make images).`,
    );
    return;
  }
  const platform = `linux/${machineArch()}`;
  const withExtension = await build('keep', platform);
  const withoutExtension = await build('remove', platform);
  const runs = { with: [] as Sample[][], without: [] as Sample[][] };
  for (let i = 0; i < reps; i++) {
    const without = () => measure(withoutExtension, platform, []);
    const withIt = () => withFixtures(() => measure(withExtension, platform, COUNTS));
    if (i % 2 === 0) {
      runs.without.push(await without());
      runs.with.push(await withIt());
    } else {
      runs.with.push(await withIt());
      runs.without.push(await without());
    }
  }
  const at = (list: Sample[][], step: number, pick: (s: Sample) => number): number =>
    median(list.map((samples) => pick(samples[step] as Sample)));
  const baseCurrent = at(runs.without, 0, (s) => s.charged.current);
  const basePeak = at(runs.without, 0, (s) => s.charged.peak);
  const n = `${platform}, median of ${reps}`;
  const targets: Record<number, number | undefined> = { 0: 10, 2: 30 };
  [
    'idle (init + an invoke that reads nothing)',
    ...COUNTS.map((c) => `after reading ${c.toLocaleString('en-US')} distinct values`),
  ].forEach((what, step) => {
    const current = at(runs.with, step, (s) => s.charged.current);
    const limit = targets[step];
    table.add({
      section: '2b charged memory (RIE)',
      what: `container's charged memory (cgroup ${step === 0 ? `memory.usage_in_bytes / peak, ${n}` : 'now / peak'}), reader function ${what}, MiB`,
      value: `${fixed(current)} / ${fixed(at(runs.with, step, (s) => s.charged.peak))}`,
      baseline: `same function, image without the extension, idle: ${fixed(baseCurrent)} / ${fixed(basePeak)}`,
      ratio: `+${fixed(current - baseCurrent)} MiB (+${fixed((current - baseCurrent) / MB)} MB)`,
      target: limit === undefined ? '—' : addedAtMost(current - baseCurrent, limit),
    });
  });
  for (const step of [0, COUNTS.length]) {
    const ext = (key: keyof ProcessMemory): number =>
      at(runs.with, step, (s) => s.extension?.[key] ?? Number.NaN);
    table.add({
      section: '2b charged memory (RIE)',
      what: `the extension process in that container, ${step === 0 ? 'idle' : `after ${COUNTS[COUNTS.length - 1]?.toLocaleString('en-US')} values`}: RSS / PSS / private (smaps_rollup), MiB`,
      value: `${fixed(ext('rss'))} / ${fixed(ext('pss'))} / ${fixed(ext('private'))}`,
      baseline: '—',
      ratio: `RSS − private: ${fixed(ext('rss') - ext('private'))} MiB shared`,
      target: '—',
    });
  }
}
