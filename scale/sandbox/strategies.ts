/**
 * The strategies compared, as data, and the one place each is turned into how a sandbox reads.
 *
 * Run with the extension's real code: our read-through cache (`our-cache`), its INIT prefetch
 * (`batched`: extension/src/prefetch.ts itself, GetParameters 10 names per call and BatchGetSecretValue
 * 20 ids per call through the real backends, stored with put), stale-on-error, and the SDK's own retry
 * modes. Modelled here because the real thing is not ours or is no longer the code (each says so in its
 * label): AWS's extension (`aws-extension`: closed source; one backend call per read of a missing name,
 * no single-flight, no stale answers) and the prefetch of earlier versions (`one-by-one`: GetParameters
 * through the real backends, secrets one GetSecretValue each, stored with put).
 */
import { createSandboxExtension, type Read, type SandboxExtension } from '../extension.js';
import type { Workload } from './workload.js';

export interface Strategy {
  readonly name: string;
  readonly label: string;
  readonly reads: 'aws-extension' | 'our-cache';
  readonly prefetch: 'none' | 'one-by-one' | 'batched';
  /** The SDK's AWS_RETRY_MODE for every client of the sandbox. */
  readonly retryMode: 'standard' | 'adaptive';
  /** PARAMETERS_SECRETS_EXTENSION_STALE_ON_ERROR. */
  readonly staleOnError: boolean;
  /** Each sandbox waits a uniform random [0, startJitterMs) before its first backend call. */
  readonly startJitterMs: number;
}

const OURS: Strategy = {
  name: 'ours',
  label: 'ours today (read-through, single-flight)',
  reads: 'our-cache',
  prefetch: 'none',
  retryMode: 'standard',
  staleOnError: false,
  startJitterMs: 0,
};

export const STRATEGIES: readonly Strategy[] = [
  {
    ...OURS,
    name: 'aws',
    label: "AWS's extension (modelled: GetParameter per name)",
    reads: 'aws-extension',
  },
  OURS,
  {
    ...OURS,
    name: 'prefetch-today',
    label: 'ours + earlier PREFETCH (modelled: GetParameters, secrets 1 by 1)',
    prefetch: 'one-by-one',
  },
  {
    ...OURS,
    name: 'batched',
    label: 'ours + batched PREFETCH (GetParameters, BatchGetSecretValue)',
    prefetch: 'batched',
  },
  { ...OURS, name: 'adaptive', label: 'ours + AWS_RETRY_MODE=adaptive', retryMode: 'adaptive' },
  { ...OURS, name: 'jitter', label: 'ours + jittered start (0-1 s)', startJitterMs: 1000 },
  { ...OURS, name: 'stale', label: 'ours + stale-on-throttle (STALE_ON_ERROR)', staleOnError: true },
  {
    ...OURS,
    name: 'batched-stale',
    label: 'batched PREFETCH + stale-on-throttle',
    prefetch: 'batched',
    staleOnError: true,
  },
  {
    ...OURS,
    name: 'combined',
    label: 'batched PREFETCH + adaptive + stale-on-throttle',
    prefetch: 'batched',
    retryMode: 'adaptive',
    staleOnError: true,
  },
];

export function strategyNamed(name: string): Strategy {
  const found = STRATEGIES.find((strategy) => strategy.name === name);
  if (found === undefined)
    throw new Error(`no strategy named ${name}: ${STRATEGIES.map((s) => s.name).join(', ')}`);
  return found;
}

/** One value a function reads. */
export type Value = Read;

export function valuesOf(work: Workload): Value[] {
  return [
    ...work.parameters.map((name) => ({ kind: 'parameter' as const, name })),
    ...work.secrets.map((name) => ({ kind: 'secret' as const, name })),
  ];
}

/** How one sandbox's extension reads: the function's reads, and the extension's own INIT prefetch. */
export interface Reader {
  read(value: Value): Promise<void>;
  /** Never rejects: a failed prefetch is logged by the extension and never fails INIT. */
  prefetch(): Promise<void>;
}

export function createReader(strategy: Strategy, work: Workload, ttlMs: number): Reader {
  const extension = createSandboxExtension({ staleOnError: strategy.staleOnError, maxConnections: 3, ttlMs });
  const values = valuesOf(work);
  const fetchOne = (value: Value): Promise<string> =>
    value.kind === 'parameter'
      ? extension.backends.getParameter({ name: value.name, withDecryption: true })
      : extension.backends.getSecretValue({
          secretId: value.name,
          versionId: undefined,
          versionStage: undefined,
        });

  const read =
    strategy.reads === 'aws-extension'
      ? awsExtensionRead(fetchOne, ttlMs)
      : async (value: Value) => {
          await extension.readThrough(value, () => fetchOne(value));
        };

  const prefetch =
    strategy.prefetch === 'one-by-one'
      ? () => prefetchOneByOne(extension, values)
      : strategy.prefetch === 'batched'
        ? () => extension.prefetch(values)
        : async () => {};
  return { read, prefetch };
}

/** AWS's extension as far as the burst sees it: a TTL cache, one backend call per read of a missing name. */
function awsExtensionRead(
  fetchOne: (value: Value) => Promise<string>,
  ttlMs: number,
): (value: Value) => Promise<void> {
  const stored = new Map<string, number>();
  return async (value) => {
    const key = `${value.kind}\u0000${value.name}`;
    const at = stored.get(key);
    if (at !== undefined && performance.now() - at < ttlMs) return;
    await fetchOne(value);
    stored.set(key, performance.now());
  };
}

/** The prefetch of earlier versions: fills the cache with put; reads meanwhile miss. */
async function prefetchOneByOne(extension: SandboxExtension, values: readonly Value[]): Promise<void> {
  const parameters = values.filter((v) => v.kind === 'parameter');
  const secrets = values.filter((v) => v.kind === 'secret');
  const fillParameters = async (): Promise<void> => {
    if (parameters.length === 0) return;
    const found = await extension.backends.getParameters(
      parameters.map((v) => v.name),
      true,
    );
    for (const value of parameters) {
      const parameter = found.get(value.name);
      if (parameter !== undefined && !(parameter instanceof Error)) extension.put(value, parameter.json);
    }
  };
  const fillSecrets = secrets.map(async (value) => {
    const json = await extension.backends.getSecretValue({
      secretId: value.name,
      versionId: undefined,
      versionStage: undefined,
    });
    extension.put(value, json);
  });
  await Promise.allSettled([fillParameters(), ...fillSecrets]);
}
