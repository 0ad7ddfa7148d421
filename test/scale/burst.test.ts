/**
 * The burst model's short run (make test-scale): a small burst against proportionally small quotas, in
 * this process, with the extension's real cache and SDK clients against the real stand-in on loopback.
 * It asserts the model's invariants, not its figures: no family exceeded its quota, every read ended with
 * the value or AWS's own throttling error, every INIT read was answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runBurst, type Scenario, sdkEnvironment } from '../../scale/burst.js';
import { violations } from '../../scale/checks.js';
import type { ReadFigures } from '../../scale/figures.js';
import { strategyNamed } from '../../scale/sandbox/strategies.js';
import { contentsFor, workload } from '../../scale/sandbox/workload.js';
import {
  DEFAULT_QUOTAS,
  HIGHER_THROUGHPUT_QUOTAS,
  type QuotaProfile,
  scaled,
} from '../../scale/standin/quotas.js';
import { type StandInStats, startStandIn } from '../../scale/standin/server.js';

const SANDBOXES = 20;
/** 1,000 sandboxes as 20: every quota divided by 50. */
const FACTOR = 50;
const PARAMETERS = 5;
const SECRETS = 2;

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

async function burst(
  strategy: string,
  quotas: QuotaProfile,
  factor = FACTOR,
): Promise<{ reads: ReadFigures; stats: StandInStats }> {
  const work = workload(PARAMETERS, SECRETS);
  const standIn = await startStandIn({
    quotas: scaled(quotas, factor),
    contents: contentsFor(work),
    latencyMs: 5,
    latencyJitterMs: 5,
  });
  try {
    Object.assign(process.env, sdkEnvironment(standIn.endpoint, strategyNamed(strategy).retryMode));
    const scenario: Scenario = {
      strategy,
      sandboxes: SANDBOXES,
      windowMs: 1000,
      parameters: PARAMETERS,
      secrets: SECRETS,
      timing: { ttlMs: 1500, runtimeInitMs: 20, invokeIntervalMs: 300, endAtMs: 3000 },
      seed: 15,
    };
    return { reads: await runBurst(scenario), stats: standIn.stats() };
  } finally {
    await standIn.close();
  }
}

describe('burst model (short run)', () => {
  for (const strategy of ['aws', 'ours', 'batched', 'stale']) {
    it(`${strategy}: default quotas throttle, and the run keeps every invariant`, async () => {
      const { reads, stats } = await burst(strategy, DEFAULT_QUOTAS);
      expect(violations(reads, stats, SANDBOXES * (PARAMETERS + SECRETS))).toEqual([]);
      // The burst must really meet the quota, or the invariants above would hold trivially.
      expect(Object.values(stats.apis).some((api) => api.throttled > 0)).toBe(true);
      const failed = reads.initFailed + reads.invokeFailed;
      expect(Object.values(reads.failureCodes).reduce((a, b) => a + b, 0)).toBe(failed);
    });
  }

  it('higher-throughput quotas: nothing is throttled and every read gets its value', async () => {
    // Unscaled: each bucket's burst capacity alone exceeds every call of the run, however the
    // machine's load bunches the calls.
    const { reads, stats } = await burst('ours', HIGHER_THROUGHPUT_QUOTAS, 1);
    expect(violations(reads, stats, SANDBOXES * (PARAMETERS + SECRETS))).toEqual([]);
    expect(Object.values(stats.apis).every((api) => api.throttled === 0)).toBe(true);
    expect(reads.initFailed + reads.invokeFailed).toBe(0);
    expect(reads.unservedSandboxes).toBe(0);
  });

  it('batched prefetch makes one GetParameters per sandbox instead of one GetParameter per name', async () => {
    // Unscaled quotas: BatchGetSecretValue's 100/s is not raised by higher throughput, and /50 it would throttle.
    const { stats } = await burst('batched', HIGHER_THROUGHPUT_QUOTAS, 1);
    // INIT only: TTL 1.5 s means refreshes (one GetParameter per name) come later in the run.
    expect(stats.apis.GetParameters.calls).toBe(SANDBOXES);
    expect(stats.apis.BatchGetSecretValue.calls).toBe(SANDBOXES);
  });
});
