/**
 * 3. Cached hits: keep-alive reads of a cached parameter and a cached secret, at 1 and 16 connections,
 * by wrk (one thread, pinned to the other core than the server). Baselines in the same run: a bare
 * node:http server sending the very same bytes (pinned like the extension), and the same reads done
 * directly with the AWS SDK against moto, what a function does without the extension. Plus what a
 * function sees as a client: node:http with a keep-alive agent vs the global fetch, one at a time.
 */
import {
  extensionGet,
  parameterPath,
  secretPath,
  startExtension,
  TOKEN,
  TOKEN_HEADER,
  waitReady,
} from '../lib/extension.js';
import { cpuPerRequest, latency, measure, measurePair, rate, startBare } from '../lib/keepalive.js';
import { LOAD_CPU, loadgen, SERVER_CPU, wrk } from '../lib/load.js';
import { ensureFixtures, parameterName, secretId, withFixtures } from '../lib/moto.js';
import { freePort } from '../lib/processes.js';
import { fixed, median, times } from '../lib/stats.js';
import { atLeast, atMost, type Table } from '../lib/table.js';

export interface HitsOptions {
  readonly reps: number;
  readonly seconds: number;
}

interface Kind {
  readonly label: string;
  readonly service: 'parameter' | 'secret';
  readonly name: string;
  readonly path: string;
}

const KINDS: readonly Kind[] = [
  { label: 'parameter', service: 'parameter', name: parameterName(0), path: parameterPath(parameterName(0)) },
  { label: 'secret', service: 'secret', name: secretId(0), path: secretPath(secretId(0)) },
];
const CONNECTIONS = [1, 16] as const;

export async function hitsSection(table: Table, options: HitsOptions): Promise<void> {
  await ensureFixtures();
  const port = await freePort();
  const extension = startExtension({ port, cpus: SERVER_CPU });
  try {
    await waitReady(port);
    for (const kind of KINDS) {
      const primed = await extensionGet(port, kind.path);
      if (primed.status !== 200) throw new Error(`priming ${kind.path}: ${primed.status} ${primed.body}`);
      const barePort = await freePort();
      const bare = await startBare(barePort, primed.body);
      const extUrl = `http://127.0.0.1:${port}${kind.path}`;
      const bareUrl = `http://127.0.0.1:${barePort}${kind.path}`;
      const headers = { [TOKEN_HEADER]: TOKEN };
      try {
        await wrk(extUrl, 16, 1, headers);
        await wrk(bareUrl, 16, 1, headers);
        for (const connections of CONNECTIONS) {
          const [e, b] = await measurePair(
            options.reps,
            () => measure(extension.pid, extUrl, connections, options.seconds, headers),
            () => measure(bare.pid, bareUrl, connections, options.seconds, headers),
          );
          table.add({
            section: '3 cached hits',
            what: `${kind.label}, ${connections} conn, wrk keep-alive (median of ${options.reps} × ${options.seconds} s)`,
            value: `${rate(e.rps)}; ${latency(e)}; ${cpuPerRequest(e)}`,
            baseline: `bare node:http, same bytes: ${rate(b.rps)}; ${latency(b)}; ${cpuPerRequest(b)}`,
            ratio: `${times(e.rps, b.rps)} req/s; ${times(e.p99, b.p99)} p99; ${times(e.cpuUs, b.cpuUs)} CPU/req`,
            target:
              connections === 16
                ? `throughput ${atLeast(e.rps / b.rps, 0.9)}; p99 ${atMost(e.p99 / b.p99, 1.2)}`
                : '—',
          });
          const sdk = [];
          for (let i = 0; i < Math.max(1, options.reps - 1); i++) {
            sdk.push(
              await withFixtures(() =>
                loadgen({
                  client: 'sdk',
                  kind: kind.service,
                  targets: [kind.name],
                  concurrency: connections,
                  durationMs: options.seconds * 1000,
                  warmupMs: 300,
                }),
              ),
            );
          }
          const s = {
            rps: median(sdk.map((r) => r.rps)),
            p50: median(sdk.map((r) => r.p50Ms)),
            p99: median(sdk.map((r) => r.p99Ms)),
          };
          table.add({
            section: '3 cached hits',
            what: `${kind.label}, ${connections} conn: extension (wrk) vs direct AWS SDK calls to moto`,
            value: `${rate(e.rps)}; ${latency(e)}`,
            baseline: `SDK → moto (Node, pinned to cpu ${LOAD_CPU}): ${rate(s.rps)}; ${latency(s)}`,
            ratio: `${times(e.rps, s.rps)} req/s; ${times(e.p50, s.p50)} p50`,
            target: '—',
          });
        }
      } finally {
        await bare.stop();
      }
    }
    // What a function sees: the client library's cost on top of the server's.
    const clients = [];
    for (const client of ['http', 'fetch'] as const) {
      clients.push(
        await loadgen({
          client,
          kind: 'parameter',
          targets: [KINDS[0]?.path],
          port,
          token: TOKEN,
          concurrency: 1,
          durationMs: options.seconds * 1000,
          warmupMs: 500,
        }),
      );
    }
    const [http, fetchResult] = clients;
    if (http !== undefined && fetchResult !== undefined) {
      table.add({
        section: '3 cached hits',
        what: 'parameter, 1 conn, from a Node.js function: global fetch vs node:http keep-alive agent',
        value: `fetch: p50 ${fixed(fetchResult.p50Ms, 3)} / p99 ${fixed(fetchResult.p99Ms, 3)} ms`,
        baseline: `node:http Agent: p50 ${fixed(http.p50Ms, 3)} / p99 ${fixed(http.p99Ms, 3)} ms`,
        ratio: times(fetchResult.p50Ms, http.p50Ms),
        target: '—',
      });
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${extension.output()}`);
  } finally {
    await extension.stop();
  }
}
