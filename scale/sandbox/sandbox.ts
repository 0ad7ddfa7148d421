/**
 * One virtual execution environment: it starts at its planned moment, its extension begins INIT (and its
 * prefetch, if any), the runtime comes up, the function's INIT reads every value at once, then each
 * invoke reads them all again through the cache until the run ends. A read that fails is what the
 * function would see as the extension's 400 answer; a sandbox whose INIT read failed retries on its
 * next invoke, as Lambda re-runs a failed INIT on the first invoke.
 */
import { failureCode } from '../extension.js';
import { createReader, type Strategy, valuesOf } from './strategies.js';
import type { Workload } from './workload.js';

export interface Timing {
  /** Cache TTL for both services. */
  readonly ttlMs: number;
  /** From the extension's register to the function's INIT code (runtime start-up). */
  readonly runtimeInitMs: number;
  readonly invokeIntervalMs: number;
  /** No invoke starts after this (ms after the burst's start). */
  readonly endAtMs: number;
}

export interface ReadOutcome {
  readonly phase: 'init' | 'invoke';
  /** Milliseconds after the burst's start. */
  readonly startedAt: number;
  readonly latencyMs: number;
  /** undefined: answered with the value; else the error code the function sees. */
  readonly failure: string | undefined;
}

export interface SandboxOutcome {
  readonly reads: ReadOutcome[];
  /** When every value had been answered in one pass (INIT or an invoke), ms after the burst's start. */
  readonly servedAt: number | undefined;
  /** From the sandbox's start to the end of its INIT (function reads and prefetch), jitter included. */
  readonly initMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runSandbox(
  strategy: Strategy,
  work: Workload,
  timing: Timing,
  startAtMs: number,
  jitterMs: number,
  burstStart: number,
): Promise<SandboxOutcome> {
  const since = (): number => performance.now() - burstStart;
  await sleep(startAtMs - since());
  const reader = createReader(strategy, work, timing.ttlMs);
  const values = valuesOf(work);
  const reads: ReadOutcome[] = [];
  let servedAt: number | undefined;

  const pass = async (phase: ReadOutcome['phase']): Promise<void> => {
    const outcomes = await Promise.all(
      values.map(async (value): Promise<ReadOutcome> => {
        const startedAt = since();
        try {
          await reader.read(value);
          return { phase, startedAt, latencyMs: since() - startedAt, failure: undefined };
        } catch (error) {
          return { phase, startedAt, latencyMs: since() - startedAt, failure: failureCode(error) };
        }
      }),
    );
    reads.push(...outcomes);
    if (servedAt === undefined && outcomes.every((outcome) => outcome.failure === undefined))
      servedAt = since();
  };

  await sleep(jitterMs);
  const prefetched = reader.prefetch();
  await sleep(timing.runtimeInitMs);
  await pass('init');
  // INIT ends when the extension is ready too (its prefetch runs before it asks for the next event).
  await prefetched;
  const initMs = since() - startAtMs;
  // Invokes come every interval; one that took longer is followed at once (requests were queued).
  for (let next = since() + timing.invokeIntervalMs; next < timing.endAtMs; ) {
    await sleep(next - since());
    await pass('invoke');
    next = Math.max(next + timing.invokeIntervalMs, since());
  }
  return { reads, servedAt, initMs };
}
