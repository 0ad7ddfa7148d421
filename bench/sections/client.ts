/**
 * 7. The function's side: reading a cached parameter with the client module the images ship
 * (/opt/nodejs/node_modules/parameters-secrets, here dist/client) next to the global fetch, each in
 * fresh Node processes (bench/client-probe.ts, pinned to the core the extension does not use):
 * the first read of a process (module load included) and warm reads one at a time.
 * Targets (issue 14): first read ≤ 5 ms, warm p50 ≤ 0.1 ms.
 */
import { join } from 'node:path';
import { runCommand } from '../../test/helpers/command.js';
import type { ProbeResult } from '../client-probe.js';
import { extensionGet, parameterPath, startExtension, TOKEN, waitReady } from '../lib/extension.js';
import { LOAD_CPU, SERVER_CPU } from '../lib/load.js';
import { ensureFixtures, parameterName } from '../lib/moto.js';
import { childEnv, freePort, NODE, REPO_ROOT } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import type { Table } from '../lib/table.js';

const PROBE = join(REPO_ROOT, 'dist/bench/client-probe.mjs');
const MODULE = join(REPO_ROOT, 'dist/client/index.mjs');
const WARM_READS = 2000;
const TARGET_FIRST_MS = 5;
const TARGET_WARM_P50_MS = 0.1;

async function probe(client: 'module' | 'fetch', port: number, name: string): Promise<ProbeResult> {
  const spec = { client, modulePath: MODULE, port, token: TOKEN, name, count: WARM_READS };
  const { stdout } = await runCommand('taskset', ['-c', LOAD_CPU, NODE, PROBE, JSON.stringify(spec)], {
    timeoutMs: 60_000,
    env: childEnv(),
  });
  return JSON.parse(stdout.toString()) as ProbeResult;
}

const verdict = (value: number, limit: number, unit: string): string =>
  value <= limit
    ? `met (≤ ${limit} ${unit})`
    : `MISSED by ${(((value - limit) / limit) * 100).toFixed(0)}% (≤ ${limit} ${unit})`;

export async function clientSection(table: Table, reps: number): Promise<void> {
  await ensureFixtures();
  const port = await freePort();
  const extension = startExtension({ port, cpus: SERVER_CPU });
  try {
    await waitReady(port);
    const name = parameterName(0);
    const primed = await extensionGet(port, parameterPath(name));
    if (primed.status !== 200) throw new Error(`priming ${name}: ${primed.status} ${primed.body}`);
    const results: Record<'module' | 'fetch', ProbeResult[]> = { module: [], fetch: [] };
    for (let i = 0; i < reps; i++) {
      // Alternate who goes first, so a burst of noise does not always hit the same one.
      for (const client of i % 2 === 0 ? (['module', 'fetch'] as const) : (['fetch', 'module'] as const)) {
        results[client].push(await probe(client, port, name));
      }
    }
    const summary = (runs: readonly ProbeResult[]) => ({
      first: median(runs.map((r) => r.firstMs)),
      firstCpu: median(runs.map((r) => r.firstCpuMs)),
      p50: median(runs.map((r) => r.p50Ms)),
      p99: median(runs.map((r) => r.p99Ms)),
      cpuUs: median(runs.map((r) => r.warmCpuUs)),
    });
    const m = summary(results.module);
    const f = summary(results.fetch);
    table.add({
      section: '7 function side',
      what: `first read of a fresh process, cached parameter (median of ${reps} processes; module load included)`,
      value: `client module: ${fixed(m.first, 2)} ms (${fixed(m.firstCpu, 2)} ms CPU)`,
      baseline: `global fetch: ${fixed(f.first, 2)} ms (${fixed(f.firstCpu, 2)} ms CPU)`,
      ratio: times(m.first, f.first),
      target: verdict(m.first, TARGET_FIRST_MS, 'ms'),
    });
    table.add({
      section: '7 function side',
      what: `warm reads one at a time, cached parameter (${WARM_READS} per process, median of ${reps})`,
      value: `client module: p50 ${fixed(m.p50, 3)} / p99 ${fixed(m.p99, 3)} ms; ${fixed(m.cpuUs, 0)} µs CPU/read in the function`,
      baseline: `global fetch: p50 ${fixed(f.p50, 3)} / p99 ${fixed(f.p99, 3)} ms; ${fixed(f.cpuUs, 0)} µs CPU/read`,
      ratio: `${times(m.p50, f.p50)} p50; ${times(m.p99, f.p99)} p99; ${times(m.cpuUs, f.cpuUs)} CPU`,
      target: `p50 ${verdict(m.p50, TARGET_WARM_P50_MS, 'ms')}`,
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    await extension.stop();
  }
}
