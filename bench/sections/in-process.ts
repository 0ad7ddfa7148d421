/**
 * 10. In-process mode (PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true) under the RIE in our image, on this
 * machine's architecture, next to a function without any extension and the separate process, all in
 * this run, interleaved (the order rotates every repetition):
 * - cold start: the RIE's init duration of the hello function (reads nothing: what the mode's presence
 *   costs) and of the example function (reads a parameter at INIT: the first read included), and the
 *   part of it before the runtime starts (the extensions' start and registration, from the RIE's log
 *   times, ms resolution: far less noisy than the whole init on a loaded machine);
 * - charged memory (the container's memory cgroup, as section 2b) idle and after 1,000 values;
 * - the two ways to fill /opt/extensions in this mode: the launcher, which then only registers for
 *   SHUTDOWN and waits in bash (image `keep`), or no file at all (image `in-process-only`, the
 *   launcher deleted as docs/guide.md describes); and what the bash waiter costs on its own: exec →
 *   /register against a scripted Extensions API next to `node -e 0`, and its memory in the container.
 */
import { spawn } from 'node:child_process';
import { LAUNCHER } from '../../test/helpers/extension-process.js';
import { startFakeExtensionsApi } from '../../test/helpers/fake-extensions-api.js';
import {
  cgroupPids,
  findProcess,
  memoryCgroup,
  type ProcessMemory,
  processMemory,
} from '../lib/charged-memory.js';
import { BASE_REPOSITORY, imageExists, machineArch, REGISTRY } from '../lib/docker.js';
import { withFixtures } from '../lib/moto.js';
import { childEnv, cpuMs, NODE, sleep } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import type { Table } from '../lib/table.js';
import { addedAtMost, MB, measure, type Sample } from './charged.js';
import { BASE_TAG, build, coldStart, type Invoked, invoke, startFunction } from './coldstart.js';

const SECTION = '10 in-process mode (RIE)';
const IN_PROCESS = { PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'true' };
const WAITER = 'await-shutdown.bash';
/** Issue 11's targets for in-process mode: added cold start before the first read, added charged memory idle. */
const COLD_START_TARGET_MS = 3;
const CHARGED_TARGET_MB = 5;
/** The separate process's target for the example function's init over the hello function's (section 5). */
const EXAMPLE_TARGET_MS = 40;
const TIMEOUT_MS = 10_000;

interface Variant {
  readonly label: string;
  readonly image: string;
  readonly environment: Record<string, string>;
}

/** Rotates `items` by `by`, so each variant goes first in turn. */
const rotated = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length] as T);

const addedMsTarget = (added: number, limit: number): string =>
  added <= limit ? `met (≤ +${limit} ms)` : `MISSED by ${fixed(added - limit)} ms (≤ +${limit} ms)`;

/** exec of the launcher in in-process mode → its /register received, and its CPU until then (ms). */
async function waiterRegistration(): Promise<{ registeredMs: number; cpuMs: number }> {
  const api = await startFakeExtensionsApi();
  try {
    let registeredAt = Number.NaN;
    let cpu = Number.NaN;
    const t0 = performance.now();
    const child = spawn(LAUNCHER, [], {
      env: childEnv({ ...IN_PROCESS, AWS_LAMBDA_RUNTIME_API: api.address }),
      stdio: 'ignore',
    });
    api.onRegister = () => {
      registeredAt = performance.now();
      if (child.pid !== undefined) cpu = cpuMs(child.pid);
    };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    await api.waitForNext();
    api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown' });
    await exited;
    clearTimeout(deadline);
    if (Number.isNaN(registeredAt)) throw new Error('the in-process launcher did not register');
    return { registeredMs: registeredAt - t0, cpuMs: cpu };
  } finally {
    await api.close();
  }
}

function nodeE0(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(NODE, ['-e', '0'], { env: childEnv(), stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });
}

/** The bash waiter's memory in a running container of the `keep` image, idle. */
async function waiterMemory(image: string, platform: string): Promise<ProcessMemory> {
  const container = await startFunction(image, platform, 'reader.handler', IN_PROCESS);
  try {
    await invoke(container.invokePort, { count: 0 });
    await sleep(1_000);
    const pid = findProcess(cgroupPids(memoryCgroup(container.pid)), WAITER);
    if (pid === undefined) throw new Error(`no ${WAITER} process in ${container.name}`);
    const memory = processMemory(pid);
    await container.stop();
    return memory;
  } catch (error) {
    return container.fail(error);
  }
}

export async function inProcessSection(table: Table, reps: number): Promise<void> {
  if (!(await imageExists(BASE_REPOSITORY, BASE_TAG))) {
    table.note(
      `10 in-process mode: not measured, ${REGISTRY}/${BASE_REPOSITORY}:${BASE_TAG} is missing (run make images).`,
    );
    return;
  }
  const platform = `linux/${machineArch()}`;
  const keep = await build('keep', platform);
  const without = await build('remove', platform);
  const noLauncher = await build('in-process-only', platform);
  const variants: Variant[] = [
    { label: 'without', image: without, environment: {} },
    { label: 'separate', image: keep, environment: {} },
    { label: 'in-process', image: keep, environment: IN_PROCESS },
    { label: 'in-process, no launcher', image: noLauncher, environment: IN_PROCESS },
  ];
  const withExtension = variants.slice(1);

  // Cold start. One unmeasured start of each warms the page cache and the engine.
  for (const v of variants) await coldStart(v.image, platform, 'hello.handler', v.environment);
  const hello = new Map<string, Invoked[]>(variants.map((v) => [v.label, []]));
  const example = new Map<string, Invoked[]>(withExtension.map((v) => [v.label, []]));
  for (let i = 0; i < reps; i++) {
    for (const v of rotated(variants, i)) {
      hello.get(v.label)?.push(await coldStart(v.image, platform, 'hello.handler', v.environment));
    }
    for (const v of rotated(withExtension, i)) {
      example
        .get(v.label)
        ?.push(await withFixtures(() => coldStart(v.image, platform, 'index.handler', v.environment)));
    }
  }
  const initOf = (runs: Map<string, Invoked[]>, label: string): number =>
    median((runs.get(label) ?? []).map((r) => r.initMs));
  const base = initOf(hello, 'without');
  const n = `${platform}, median of ${reps}`;
  for (const v of withExtension) {
    const added = initOf(hello, v.label) - base;
    table.add({
      section: SECTION,
      what: `Init Duration, hello function (reads nothing), ${v.label}, ms (${n})`,
      value: fixed(initOf(hello, v.label)),
      baseline: `no extension: ${fixed(base)}`,
      ratio: `+${fixed(added)} ms`,
      target: v.label === 'separate' ? '—' : addedMsTarget(added, COLD_START_TARGET_MS),
    });
  }
  const phaseOf = (label: string): number => median((hello.get(label) ?? []).map((r) => r.extensionsPhaseMs));
  table.add({
    section: SECTION,
    what: `RIE log, INIT START → last extension registered (what /opt/extensions costs before the runtime starts; 0 without one), hello function, ms (${n})`,
    value: withExtension.map((v) => `${v.label}: ${fixed(phaseOf(v.label))}`).join('; '),
    baseline: `no extension: ${fixed(phaseOf('without'))}`,
    ratio: '—',
    target: '—',
  });
  for (const v of withExtension) {
    const runs = example.get(v.label) ?? [];
    const added = initOf(example, v.label) - base;
    const m = (key: keyof Invoked): string => fixed(median(runs.map((r) => r[key])));
    table.add({
      section: SECTION,
      what: `example function (reads a parameter at INIT, a secret per invoke), ${v.label}: Init Duration / first invoke / second invoke, ms`,
      value: `${m('initMs')} / ${m('firstInvokeMs')} / ${m('secondInvokeMs')}`,
      baseline: `hello, no extension: ${fixed(base)}; separate: ${fixed(initOf(example, 'separate'))}`,
      ratio: `+${fixed(added)} ms init`,
      target: addedMsTarget(added, EXAMPLE_TARGET_MS),
    });
  }

  // Charged memory: idle, and after 1,000 values with the extension.
  const charged = new Map<string, Sample[][]>(variants.map((v) => [v.label, []]));
  for (let i = 0; i < reps; i++) {
    for (const v of rotated(variants, i)) {
      const counts = v.label === 'without' ? [] : [1_000];
      charged.get(v.label)?.push(await withFixtures(() => measure(v.image, platform, counts, v.environment)));
    }
  }
  const at = (label: string, step: number, pick: 'current' | 'peak'): number =>
    median((charged.get(label) ?? []).map((samples) => (samples[step] as Sample).charged[pick]));
  const baseCurrent = at('without', 0, 'current');
  for (const [step, what] of [
    [0, 'idle (init + an invoke that reads nothing)'],
    [1, 'after reading 1,000 distinct values'],
  ] as const) {
    for (const v of withExtension) {
      const current = at(v.label, step, 'current');
      const added = current - baseCurrent;
      table.add({
        section: SECTION,
        what: `container's charged memory now / peak, reader function ${what}, ${v.label}, MiB (median of ${reps})`,
        value: `${fixed(current)} / ${fixed(at(v.label, step, 'peak'))}`,
        baseline: `no extension, idle: ${fixed(baseCurrent)} / ${fixed(at('without', 0, 'peak'))}`,
        ratio: `+${fixed(added)} MiB (+${fixed(added / MB)} MB)`,
        target: step === 0 && v.label !== 'separate' ? addedAtMost(added, CHARGED_TARGET_MB) : '—',
      });
    }
  }

  // What the bash waiter costs on its own.
  const registrations: Array<{ registeredMs: number; cpuMs: number }> = [];
  const e0: number[] = [];
  await waiterRegistration();
  await nodeE0();
  for (let i = 0; i < Math.max(reps * 3, 9); i++) {
    registrations.push(await waiterRegistration());
    e0.push(await nodeE0());
  }
  const registered = median(registrations.map((r) => r.registeredMs));
  table.add({
    section: SECTION,
    what: `the launcher in in-process mode (sh → bash, /dev/tcp): exec → /register received / CPU until then, ms (median of ${registrations.length}, scripted Extensions API)`,
    value: `${fixed(registered)} / ${fixed(median(registrations.map((r) => r.cpuMs)))}`,
    baseline: `node -e 0: ${fixed(median(e0))}`,
    ratio: times(registered, median(e0)),
    target: '—',
  });
  const memory = await waiterMemory(keep, platform);
  table.add({
    section: SECTION,
    what: 'the bash waiter in the container, idle: RSS / PSS / private (smaps_rollup), MiB',
    value: `${fixed(memory.rss)} / ${fixed(memory.pss)} / ${fixed(memory.private)}`,
    baseline: '—',
    ratio: `RSS − private: ${fixed(memory.rss - memory.private)} MiB shared`,
    target: '—',
  });
}
