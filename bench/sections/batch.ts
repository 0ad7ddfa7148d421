/**
 * 7. Batch reads and refresh-ahead (extension features beyond AWS's):
 *  - a function's start-up read of 25 parameters, one request each vs one batch request, through a
 *    fresh extension (every value a miss): backend calls (counted at a proxy in front of moto) and time;
 *  - refresh-ahead's effect on the request right after the TTL: with it, that request is a hit (the
 *    entry was refreshed in the background); without it, a miss that waits on the backend.
 */
import { type CountingProxy, startCountingProxy } from '../../test/helpers/counting-proxy.js';
import { spawnExtension } from '../../test/helpers/extension-process.js';
import { extensionGet, parameterPath, TOKEN, waitReady } from '../lib/extension.js';
import { awsEnv, motoEndpoint, parameterName, withFixtures } from '../lib/moto.js';
import { freePort } from '../lib/processes.js';
import { fixed, median, percentile, times } from '../lib/stats.js';
import type { Table } from '../lib/table.js';

const NAMES = 25;
/** Refresh-ahead runs: each waits just over one TTL (1 s, the shortest there is). */
const AFTER_EXPIRY_SAMPLES = 15;

async function withExtension<T>(
  proxy: CountingProxy,
  env: Record<string, string>,
  measure: (port: number) => Promise<T>,
): Promise<T> {
  const port = await freePort();
  const extension = spawnExtension({
    port,
    env: { ...awsEnv(), AWS_ENDPOINT_URL: proxy.url, AWS_SESSION_TOKEN: TOKEN, ...env },
    maxOutput: 20_000,
  });
  try {
    await waitReady(port);
    return await measure(port);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    await extension.stop();
  }
}

async function expectOk(port: number, path: string): Promise<void> {
  const { status } = await extensionGet(port, path);
  if (status !== 200) throw new Error(`GET ${path.split('?')[0]} answered ${status}`);
}

interface StartupRead {
  readonly ms: number;
  readonly calls: number;
}

async function startupRead(proxy: CountingProxy, rep: number, batch: boolean): Promise<StartupRead> {
  const names = Array.from({ length: NAMES }, (_, i) => parameterName(200 + ((rep * NAMES + i) % 300)));
  return withExtension(proxy, {}, async (port) => {
    // The SDK bundle loads on the first miss: load it first, so both ways pay only their reads.
    await expectOk(port, parameterPath(parameterName(0)));
    const before = proxy.total();
    const started = performance.now();
    if (batch) await expectOk(port, `/systemsmanager/parameters/getparameters?names=${names.join(',')}`);
    else for (const name of names) await expectOk(port, parameterPath(name));
    return { ms: performance.now() - started, calls: proxy.total() - before };
  });
}

/** Latency of the first read after the TTL, `samples` times (each read once, then ~1.1 s later). */
async function afterExpiry(proxy: CountingProxy, refreshAhead: boolean): Promise<number[]> {
  const env: Record<string, string> = { SSM_PARAMETER_STORE_TTL: '1' };
  if (refreshAhead) env.PARAMETERS_SECRETS_EXTENSION_REFRESH_AHEAD = '80';
  return withExtension(proxy, env, async (port) => {
    const path = parameterPath(parameterName(1));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await expectOk(port, path);
    const latencies: number[] = [];
    for (let i = 0; i < AFTER_EXPIRY_SAMPLES; i++) {
      // An invoke past 80% of the TTL (a hit; with refresh-ahead it also starts the refresh) …
      await sleep(850);
      await expectOk(port, path);
      // … and the next one, after the TTL the value was fetched with.
      await sleep(250);
      const started = performance.now();
      await expectOk(port, path);
      latencies.push(performance.now() - started);
    }
    return latencies;
  });
}

export async function batchSection(table: Table, reps: number): Promise<void> {
  const proxy = await startCountingProxy(motoEndpoint());
  try {
    const one = await withFixtures(async () => {
      const runs: StartupRead[] = [];
      for (let rep = 0; rep < reps; rep++) runs.push(await startupRead(proxy, rep, false));
      return runs;
    });
    const batch = await withFixtures(async () => {
      const runs: StartupRead[] = [];
      for (let rep = 0; rep < reps; rep++) runs.push(await startupRead(proxy, rep, true));
      return runs;
    });
    const oneMs = median(one.map((run) => run.ms));
    const batchMs = median(batch.map((run) => run.ms));
    table.add({
      section: '9 batch',
      what: `start-up read of ${NAMES} uncached parameters: one batch request (getparameters) vs ${NAMES} single requests, ms (backend calls); ${reps} runs`,
      value: `${fixed(batchMs)} ms (${median(batch.map((run) => run.calls))} calls)`,
      baseline: `one by one: ${fixed(oneMs)} ms (${median(one.map((run) => run.calls))} calls)`,
      ratio: times(batchMs, oneMs),
      target: '—',
    });

    const without = await withFixtures(() => afterExpiry(proxy, false));
    const withAhead = await withFixtures(() => afterExpiry(proxy, true));
    table.add({
      section: '9 batch',
      what: `the read right after the TTL (1 s) ran out, ${AFTER_EXPIRY_SAMPLES} samples: with refresh-ahead (80%) vs without, ms`,
      value: `p50 ${fixed(percentile(withAhead, 50), 2)} / p99 ${fixed(percentile(withAhead, 99), 2)}`,
      baseline: `without: p50 ${fixed(percentile(without, 50), 2)} / p99 ${fixed(percentile(without, 99), 2)}`,
      ratio: `${times(percentile(withAhead, 99), percentile(without, 99))} p99`,
      target: '—',
    });
  } finally {
    await proxy.close();
  }
}
