/**
 * 7. Many concurrent readers, as in a Lambda Managed Instances environment (AWS_LAMBDA_MAX_CONCURRENCY):
 * worker threads of one runtime, each running several invokes at once, all read through the one
 * extension, which is never frozen between invokes.
 *   a. 64 keep-alive connections reading a cached parameter (wrk), against the bare node:http server
 *      sending the same bytes in the same run: server CPU per request and p99.
 *   b. What the request after a TTL expiry costs under that continuous load: 64 node:http keep-alive
 *      loops read one parameter whose TTL is 1 s, through a counting proxy in front of moto that logs
 *      when each refresh was sent and answered. A request still in flight when a refresh's answer
 *      arrived waited on it (with single-flight, every reader of the key joins the one refresh);
 *      every other request was a cached hit. Those waits are what refresh-ahead would remove.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProxiedCall, startCountingProxy } from '../../test/helpers/counting-proxy.js';
import {
  extensionGet,
  parameterPath,
  startExtension,
  TOKEN,
  TOKEN_HEADER,
  waitReady,
} from '../lib/extension.js';
import { cpuPerRequest, latency, measure, measurePair, rate, startBare } from '../lib/keepalive.js';
import { loadgen, SERVER_CPU, wrk } from '../lib/load.js';
import { ensureFixtures, motoEndpoint, parameterName } from '../lib/moto.js';
import { freePort } from '../lib/processes.js';
import { fixed, median, percentile, times } from '../lib/stats.js';
import { atMost, type Table } from '../lib/table.js';

export interface ConcurrentOptions {
  readonly reps: number;
  readonly seconds: number;
}

/** Like a busy environment's worker threads with several invokes each. */
const CONNECTIONS = 64;
const SECTION = '8 concurrent readers';
const TTL_S = 1;

export async function concurrentSection(table: Table, options: ConcurrentOptions): Promise<void> {
  await ensureFixtures();
  await keepAliveRow(table, options);
  await expiryRow(table, options);
}

async function keepAliveRow(table: Table, options: ConcurrentOptions): Promise<void> {
  const path = parameterPath(parameterName(0));
  const port = await freePort();
  const extension = startExtension({ port, cpus: SERVER_CPU });
  try {
    await waitReady(port);
    const primed = await extensionGet(port, path);
    if (primed.status !== 200) throw new Error(`priming ${path}: ${primed.status} ${primed.body}`);
    const barePort = await freePort();
    const bare = await startBare(barePort, primed.body);
    const headers = { [TOKEN_HEADER]: TOKEN };
    const extUrl = `http://127.0.0.1:${port}${path}`;
    const bareUrl = `http://127.0.0.1:${barePort}${path}`;
    try {
      await wrk(extUrl, CONNECTIONS, 1, headers);
      await wrk(bareUrl, CONNECTIONS, 1, headers);
      const [e, b] = await measurePair(
        options.reps,
        () => measure(extension.pid, extUrl, CONNECTIONS, options.seconds, headers),
        () => measure(bare.pid, bareUrl, CONNECTIONS, options.seconds, headers),
      );
      table.add({
        section: SECTION,
        what: `parameter, ${CONNECTIONS} conn, wrk keep-alive (median of ${options.reps} × ${options.seconds} s)`,
        value: `${rate(e.rps)}; ${latency(e)}; ${cpuPerRequest(e)}`,
        baseline: `bare node:http, same bytes: ${rate(b.rps)}; ${latency(b)}; ${cpuPerRequest(b)}`,
        ratio: `${times(e.rps, b.rps)} req/s; ${times(e.p99, b.p99)} p99; ${times(e.cpuUs, b.cpuUs)} CPU/req`,
        target: `CPU/req ${atMost(e.cpuUs / b.cpuUs, 1.1)}; p99 ${atMost(e.p99 / b.p99, 1.2)}`,
      });
    } finally {
      await bare.stop();
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    await extension.stop();
  }
}

interface Sample {
  readonly start: number;
  readonly end: number;
  readonly ms: number;
}

/** Requests in flight when a refresh's answer arrived (they waited on it), and all the others. */
function split(samples: readonly Sample[], refreshes: readonly ProxiedCall[]): [Sample[], Sample[]] {
  const answeredAt = refreshes.flatMap((call) => (call.endedAt === undefined ? [] : [call.endedAt]));
  const waited: Sample[] = [];
  const cached: Sample[] = [];
  for (const sample of samples) {
    const inFlight = answeredAt.some((at) => sample.start < at && at < sample.end);
    (inFlight ? waited : cached).push(sample);
  }
  return [waited, cached];
}

/** Slowest request (a reduce: the sample lists are too long to spread into Math.max). */
const slowest = (samples: readonly Sample[]): number => samples.reduce((m, s) => Math.max(m, s.ms), 0);
const p99 = (samples: readonly Sample[]): number =>
  percentile(
    samples.map((s) => s.ms),
    99,
  );
const spread = (samples: readonly Sample[]): string =>
  `p50 ${fixed(
    percentile(
      samples.map((s) => s.ms),
      50,
    ),
    2,
  )} / p99 ${fixed(p99(samples), 2)} / max ${fixed(slowest(samples), 2)} ms`;

async function expiryRow(table: Table, options: ConcurrentOptions): Promise<void> {
  const path = parameterPath(parameterName(1));
  const proxy = await startCountingProxy(motoEndpoint());
  const port = await freePort();
  const extension = startExtension({
    port,
    cpus: SERVER_CPU,
    env: { AWS_ENDPOINT_URL: proxy.url, SSM_PARAMETER_STORE_TTL: String(TTL_S) },
  });
  const samplesFile = join(tmpdir(), `bench-expiry-${port}.json`);
  const samples: Sample[] = [];
  try {
    await waitReady(port);
    const primed = await extensionGet(port, path);
    if (primed.status !== 200) throw new Error(`priming ${path}: ${primed.status} ${primed.body}`);
    let errors = 0;
    for (let i = 0; i < options.reps; i++) {
      const result = await loadgen({
        client: 'http',
        kind: 'parameter',
        targets: [path],
        port,
        token: TOKEN,
        concurrency: CONNECTIONS,
        durationMs: options.seconds * 1000,
        warmupMs: 300,
        samplesFile,
      });
      errors += result.errors;
      for (const [start, ms] of JSON.parse(readFileSync(samplesFile, 'utf8')) as [number, number][]) {
        samples.push({ start, end: start + ms, ms });
      }
    }
    if (errors > 0) throw new Error(`${errors} failed reads during the expiry run`);
    const first = samples.reduce((min, s) => Math.min(min, s.start), Number.POSITIVE_INFINITY);
    const refreshes = proxy.calls('GetParameter').filter((call) => call.startedAt >= first);
    const [waited, cached] = split(samples, refreshes);
    if (refreshes.length === 0 || waited.length === 0) throw new Error('no refresh happened under load');
    const refreshMs = median(refreshes.map((c) => (c.endedAt ?? Number.NaN) - c.startedAt));
    table.add({
      section: SECTION,
      what:
        `parameter, TTL ${TTL_S} s, ${CONNECTIONS} node:http keep-alive loops for ${options.reps} × ${options.seconds} s: ` +
        `requests that waited on a refresh vs cached ones (${refreshes.length} refreshes, median ${fixed(refreshMs, 1)} ms at moto)`,
      value: `${waited.length.toLocaleString('en-US')} waited: ${spread(waited)}`,
      baseline: `${cached.length.toLocaleString('en-US')} cached: ${spread(cached)}`,
      ratio: `${times(p99(waited), p99(cached))} p99; ${times(slowest(waited), slowest(cached))} max`,
      target: 'pending refresh-ahead (issue 13)',
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    rmSync(samplesFile, { force: true });
    await extension.stop();
    await proxy.close();
  }
}
