/**
 * One run of the model: N sandboxes starting evenly over the window, each with its own extension (cache +
 * SDK clients), all in this process, against a stand-in reached through the SDK's standard endpoint
 * variables. Real time: see docs/scale.md ("Real time, not virtual") for why.
 */
import { type ReadFigures, readFigures } from './figures.js';
import { runSandbox, type Timing } from './sandbox/sandbox.js';
import { strategyNamed } from './sandbox/strategies.js';
import { workload } from './sandbox/workload.js';

export interface Scenario {
  readonly strategy: string;
  readonly sandboxes: number;
  readonly windowMs: number;
  readonly parameters: number;
  readonly secrets: number;
  readonly timing: Timing;
  readonly seed: number;
}

/** The environment the SDK clients of every sandbox see, as the extension would in Lambda. */
export function sdkEnvironment(endpoint: string, retryMode: 'standard' | 'adaptive'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASCALEMODEL000000',
    AWS_SECRET_ACCESS_KEY: 'scale-model-secret-access-key',
    AWS_RETRY_MODE: retryMode,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Small deterministic PRNG (mulberry32), so every strategy sees the same jitter draws. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Runs the burst; the SDK environment (sdkEnvironment) must already be in process.env. */
export async function runBurst(scenario: Scenario): Promise<ReadFigures> {
  const strategy = strategyNamed(scenario.strategy);
  const work = workload(scenario.parameters, scenario.secrets);
  const draw = random(scenario.seed);
  const burstStart = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: scenario.sandboxes }, (_, i) =>
      runSandbox(
        strategy,
        work,
        scenario.timing,
        (i * scenario.windowMs) / scenario.sandboxes,
        draw() * strategy.startJitterMs,
        burstStart,
      ),
    ),
  );
  return readFigures(outcomes);
}
