/**
 * 7. The function's side: reading a cached parameter with the client module the images ship
 * (/opt/nodejs/node_modules/parameters-secrets, here dist/client) next to the global fetch and to
 * node:http with a keep-alive agent, each in fresh Node processes (bench/client-probe.ts, pinned to the
 * core the extension does not use): the first read of a process (module load included) and warm reads
 * one at a time. The first read's CPU time is printed too: it holds when other jobs load the machine.
 * Targets (issue 14): first read ≤ 5 ms, warm p50 ≤ 0.1 ms.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../test/helpers/command.js';
import type { ProbeResult } from '../client-probe.js';
import { extensionGet, parameterPath, startExtension, TOKEN, waitReady } from '../lib/extension.js';
import { LOAD_CPU, SERVER_CPU } from '../lib/load.js';
import { awsEnv, ensureFixtures, parameterName } from '../lib/moto.js';
import { childEnv, freePort, NODE, REPO_ROOT } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import type { Table } from '../lib/table.js';

const PROBE = join(REPO_ROOT, 'dist/bench/client-probe.mjs');
const MODULE = join(REPO_ROOT, 'dist/client/index.mjs');
/** The extension's in-process bundle (in-process mode), when it is built. */
const IN_PROCESS = join(REPO_ROOT, 'dist/extension/in-process.cjs');
const WARM_READS = 2000;
const TARGET_FIRST_MS = 5;
const TARGET_WARM_P50_MS = 0.1;

type Client = 'module' | 'fetch' | 'http';
const CLIENTS: readonly Client[] = ['module', 'fetch', 'http'];

async function probe(
  client: Client,
  port: number,
  name: string,
  runtimeLoaded: boolean,
  inProcess?: { readonly port: number },
): Promise<ProbeResult> {
  // Under the runtime only the first read differs: a few warm reads suffice there.
  const count = runtimeLoaded ? 10 : WARM_READS;
  const spec = { client, modulePath: MODULE, port, token: TOKEN, name, count, runtimeLoaded };
  const nodeArgs = inProcess === undefined ? [] : ['--require', IN_PROCESS];
  const env =
    inProcess === undefined
      ? childEnv()
      : childEnv({
          ...awsEnv(),
          AWS_SESSION_TOKEN: TOKEN,
          PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'true',
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(inProcess.port),
          PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'NONE',
        });
  const { stdout } = await runCommand(
    'taskset',
    ['-c', LOAD_CPU, NODE, ...nodeArgs, PROBE, JSON.stringify(spec)],
    { timeoutMs: 60_000, env },
  );
  // The last line: an in-process extension shares the probe's stdout.
  return JSON.parse(stdout.toString().trim().split('\n').at(-1) ?? '') as ProbeResult;
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
    const results: Record<Client, ProbeResult[]> = { module: [], fetch: [], http: [] };
    const underRuntime: Record<Client, ProbeResult[]> = { module: [], fetch: [], http: [] };
    for (let i = 0; i < reps; i++) {
      // Rotate who goes first, so a burst of noise does not always hit the same one.
      for (let j = 0; j < CLIENTS.length; j++) {
        const client = CLIENTS[(i + j) % CLIENTS.length] as Client;
        results[client].push(await probe(client, port, name, false));
        underRuntime[client].push(await probe(client, port, name, true));
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
    const h = summary(results.http);
    const mr = summary(underRuntime.module);
    const fr = summary(underRuntime.fetch);
    const hr = summary(underRuntime.http);
    table.add({
      section: '7 function side',
      what: `first read of a fresh process, cached parameter (median of ${reps} processes; module load included)`,
      value: `client module: ${fixed(m.first, 2)} ms (${fixed(m.firstCpu, 2)} ms CPU)`,
      baseline: `global fetch: ${fixed(f.first, 2)} ms (${fixed(f.firstCpu, 2)} ms CPU); node:http + keep-alive agent: ${fixed(h.first, 2)} ms (${fixed(h.firstCpu, 2)} ms CPU)`,
      ratio: `${times(m.first, f.first)} fetch; ${times(m.first, h.first)} node:http`,
      target: verdict(m.first, TARGET_FIRST_MS, 'ms'),
    });
    table.add({
      section: '7 function side',
      what: `the same in a process that has node:net and node:http loaded, as every function under aws-lambda-ric (median of ${reps})`,
      value: `client module: ${fixed(mr.first, 2)} ms (${fixed(mr.firstCpu, 2)} ms CPU)`,
      baseline: `global fetch: ${fixed(fr.first, 2)} ms (${fixed(fr.firstCpu, 2)} ms CPU); node:http + keep-alive agent: ${fixed(hr.first, 2)} ms (${fixed(hr.firstCpu, 2)} ms CPU)`,
      ratio: `${times(mr.first, fr.first)} fetch; ${times(mr.first, hr.first)} node:http`,
      target: verdict(mr.first, TARGET_FIRST_MS, 'ms'),
    });
    table.add({
      section: '7 function side',
      what: `warm reads one at a time, cached parameter (${WARM_READS} per process, median of ${reps})`,
      value: `client module: p50 ${fixed(m.p50, 3)} / p99 ${fixed(m.p99, 3)} ms; ${fixed(m.cpuUs, 0)} µs CPU/read in the function`,
      baseline: `global fetch: p50 ${fixed(f.p50, 3)} / p99 ${fixed(f.p99, 3)} ms, ${fixed(f.cpuUs, 0)} µs CPU/read; node:http: p50 ${fixed(h.p50, 3)} / p99 ${fixed(h.p99, 3)} ms, ${fixed(h.cpuUs, 0)} µs CPU/read`,
      ratio: `p50 ${times(m.p50, f.p50)} fetch, ${times(m.p50, h.p50)} node:http; p99 ${times(m.p99, f.p99)} fetch, ${times(m.p99, h.p99)} node:http`,
      target: `p50 ${verdict(m.p50, TARGET_WARM_P50_MS, 'ms')}`,
    });
    if (existsSync(IN_PROCESS)) {
      // In-process mode: the cache in the probe's own process, read by the direct path. Its first
      // read is a miss (a cache of its own, empty), so only the warm reads compare.
      const direct: ProbeResult[] = [];
      for (let i = 0; i < reps; i++) {
        direct.push(await probe('module', port, name, false, { port: await freePort() }));
      }
      const d = summary(direct);
      table.add({
        section: '7 function side',
        what: `warm reads by the direct path, in-process mode (${WARM_READS} per process, median of ${reps})`,
        value: `client module: p50 ${fixed(d.p50, 3)} / p99 ${fixed(d.p99, 3)} ms; ${fixed(d.cpuUs, 0)} µs CPU/read in the function (the cache's work included)`,
        baseline: `over HTTP (above): p50 ${fixed(m.p50, 3)} / p99 ${fixed(m.p99, 3)} ms`,
        ratio: `${times(d.p50, m.p50)} p50`,
        target: `p50 ${verdict(d.p50, TARGET_WARM_P50_MS, 'ms')}`,
      });
    } else {
      table.note(
        'client: dist/extension/in-process.cjs is not built, so the direct path (in-process mode) was not measured',
      );
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    await extension.stop();
  }
}
