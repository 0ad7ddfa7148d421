/**
 * 4. Misses: an uncached read through the extension (the extension calls moto) next to the same read
 * done directly with the AWS SDK. The first miss of a fresh extension also loads its SDK bundle;
 * it is shown next to what a function pays for its first direct SDK call (import + client + call).
 */
import { parameterPath, secretPath, startExtension, TOKEN, waitReady } from '../lib/extension.js';
import { type LoadResult, loadgen, SERVER_CPU } from '../lib/load.js';
import { parameterName, secretId, withFixtures } from '../lib/moto.js';
import { cpuMs, freePort } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import type { Table } from '../lib/table.js';

const PER_REP = 50;
/** Issue 11: the first miss of a fresh extension on loopback against moto. */
const FIRST_MISS_MS = 25;

interface Sample {
  readonly first: number;
  /** CPU time of the extension (all threads) during its first miss. */
  readonly firstCpu: number;
  readonly ext: LoadResult;
  readonly sdk: LoadResult;
}

async function oneRep(service: 'parameter' | 'secret', rep: number): Promise<Sample> {
  const names: string[] = [];
  for (let i = 0; i < PER_REP; i++) {
    const index = 100 + rep * PER_REP + i;
    names.push(service === 'parameter' ? parameterName(index) : secretId(index));
  }
  const paths = names.map((name) => (service === 'parameter' ? parameterPath(name) : secretPath(name)));
  const firstName = service === 'parameter' ? parameterName(rep) : secretId(rep);
  const firstPath = service === 'parameter' ? parameterPath(firstName) : secretPath(firstName);
  const port = await freePort();
  const extension = startExtension({ port, cpus: SERVER_CPU });
  try {
    await waitReady(port);
    const common = { kind: service, port, token: TOKEN, concurrency: 1 };
    const cpuBefore = cpuMs(extension.pid);
    const first = await loadgen({ ...common, client: 'http', targets: [firstPath], count: 1 });
    const firstCpu = cpuMs(extension.pid) - cpuBefore;
    const ext = await loadgen({ ...common, client: 'http', targets: paths, count: paths.length });
    const sdk = await loadgen({ ...common, client: 'sdk', targets: names, count: names.length });
    if (first.errors + ext.errors + sdk.errors > 0)
      throw new Error(`failed reads during the ${service} miss run`);
    return { first: first.p50Ms, firstCpu, ext, sdk };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    await extension.stop();
  }
}

export async function missesSection(table: Table, reps: number): Promise<void> {
  for (const service of ['parameter', 'secret'] as const) {
    const samples: Sample[] = [];
    for (let rep = 0; rep < reps; rep++) samples.push(await withFixtures(() => oneRep(service, rep)));
    const extP50 = median(samples.map((s) => s.ext.p50Ms));
    const extP99 = median(samples.map((s) => s.ext.p99Ms));
    const sdkP50 = median(samples.map((s) => s.sdk.p50Ms));
    const sdkP99 = median(samples.map((s) => s.sdk.p99Ms));
    table.add({
      section: '4 misses',
      what: `uncached ${service} read, warm (${PER_REP} distinct names × ${reps} runs, one at a time), ms`,
      value: `p50 ${fixed(extP50, 2)} / p99 ${fixed(extP99, 2)}`,
      baseline: `direct SDK → moto: p50 ${fixed(sdkP50, 2)} / p99 ${fixed(sdkP99, 2)}`,
      ratio: `${times(extP50, sdkP50)} p50 (+${fixed(extP50 - sdkP50, 2)} ms)`,
      target: '—',
    });
    const first = median(samples.map((s) => s.first));
    const sdkFirst = median(
      samples.map((s) => (s.sdk.importMs ?? Number.NaN) + (s.sdk.firstCallMs ?? Number.NaN)),
    );
    const sdkImport = median(samples.map((s) => s.sdk.importMs ?? Number.NaN));
    table.add({
      section: '4 misses',
      what: `first ${service} miss of a fresh extension (loads its SDK bundle), ms (the extension's CPU during it)`,
      value: `${fixed(first)} (CPU ${fixed(median(samples.map((s) => s.firstCpu)))})`,
      baseline: `function's first direct SDK call: ${fixed(sdkFirst)} (import ${fixed(sdkImport)} + client + call)`,
      ratio: times(first, sdkFirst),
      target:
        first <= FIRST_MISS_MS
          ? `met (≤ ${FIRST_MISS_MS} ms)`
          : `MISSED by ${fixed(first - FIRST_MISS_MS)} ms (≤ ${FIRST_MISS_MS} ms)`,
    });
  }
}
