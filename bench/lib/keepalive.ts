/**
 * Keep-alive load against one server with its CPU cost: a wrk run and the server's CPU time per
 * answered request, the bare node:http baseline sending the same bytes, and how the rows print them.
 * Shared by the cached-hit section and the many-concurrent-readers section.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitAccepting } from './http-probe.js';
import { SERVER_CPU, type WrkResult, wrk } from './load.js';
import { BARE_HTTP, type Child, cpuMs, NODE, start } from './processes.js';
import { fixed, median } from './stats.js';

export interface Measured extends WrkResult {
  /** Server CPU time (all threads) per answered request, µs: robust to noise from other processes. */
  readonly cpuUs: number;
}

export interface Summary {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
}

/** One wrk run against the server `pid`, with the server's CPU time per request. */
export async function measure(
  pid: number,
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string>,
): Promise<Measured> {
  const before = cpuMs(pid);
  const result = await wrk(url, connections, seconds, headers);
  const cpu = cpuMs(pid) - before;
  return { ...result, cpuUs: (cpu * 1000) / Math.max(1, result.rps * seconds) };
}

/** Medians over repetitions; any non-2xx answer makes the measurement invalid. */
export function summary(results: readonly Measured[]): Summary {
  const failed = results.reduce((sum, r) => sum + r.non2xx, 0);
  if (failed > 0) throw new Error(`${failed} non-2xx answers during a cached-hit run`);
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50Ms)),
    p99: median(results.map((r) => r.p99Ms)),
    cpuUs: median(results.map((r) => r.cpuUs)),
  };
}

/**
 * `reps` runs of each of two servers, alternating who goes first so a burst of noise does not always
 * hit the same one.
 */
export async function measurePair(
  reps: number,
  runA: () => Promise<Measured>,
  runB: () => Promise<Measured>,
): Promise<[Summary, Summary]> {
  const a: Measured[] = [];
  const b: Measured[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      a.push(await runA());
      b.push(await runB());
    } else {
      b.push(await runB());
      a.push(await runA());
    }
  }
  return [summary(a), summary(b)];
}

/** The bare node:http baseline on `port`, answering every request with `body`, pinned like the extension. */
export async function startBare(port: number, body: string): Promise<Child> {
  const file = join(tmpdir(), `bench-body-${port}.json`);
  writeFileSync(file, body);
  const child = start(NODE, [BARE_HTTP, String(port), file], { cpus: SERVER_CPU });
  (await waitAccepting(port, 10_000)).destroy();
  return child;
}

export const rate = (rps: number): string => `${Math.round(rps).toLocaleString('en-US')}/s`;
export const latency = (s: { p50: number; p99: number }): string =>
  `p50 ${fixed(s.p50, 2)} / p99 ${fixed(s.p99, 2)} ms`;
export const cpuPerRequest = (s: { cpuUs: number }): string => `${fixed(s.cpuUs, 1)} µs CPU/req`;
