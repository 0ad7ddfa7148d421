/**
 * The strategies compared, as data, and the one place each is turned into how a sandbox reads.
 *
 * Run with the extension's real code: our read-through cache (`our-cache`), today's opt-in PREFETCH
 * (`today`: GetParameters in tens through the real backends, secrets one GetSecretValue each, stored
 * with put, as extension/src/prefetch.ts does), stale-on-error, and the SDK's own retry modes.
 * Modelled here because the real thing is not ours or does not exist yet (each says so in its label):
 * AWS's extension (`aws-extension`: closed source; one backend call per read of a missing name, no
 * single-flight, no stale answers) and the batched prefetch the extension plans (`batched`: its
 * BatchGetSecretValue call is made by this model's own SDK client, and reads of a name being prefetched
 * wait for the batch through the cache's single-flight instead of making their own call).
 */
import { BatchGetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSandboxExtension, type SandboxExtension } from '../extension.js';
import type { Workload } from './workload.js';

export interface Strategy {
  readonly name: string;
  readonly label: string;
  readonly reads: 'aws-extension' | 'our-cache';
  readonly prefetch: 'none' | 'today' | 'batched';
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
    label: 'ours + PREFETCH as today (GetParameters, secrets 1 by 1)',
    prefetch: 'today',
  },
  { ...OURS, name: 'batched', label: 'batched prefetch (model of the planned feature)', prefetch: 'batched' },
  { ...OURS, name: 'adaptive', label: 'ours + AWS_RETRY_MODE=adaptive', retryMode: 'adaptive' },
  { ...OURS, name: 'jitter', label: 'ours + jittered start (0-1 s)', startJitterMs: 1000 },
  { ...OURS, name: 'stale', label: 'ours + stale-on-throttle (STALE_ON_ERROR)', staleOnError: true },
  {
    ...OURS,
    name: 'batched-stale',
    label: 'batched prefetch (model) + stale-on-throttle',
    prefetch: 'batched',
    staleOnError: true,
  },
  {
    ...OURS,
    name: 'combined',
    label: 'batched prefetch (model) + adaptive + stale-on-throttle',
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

/** One value a function reads, and the cache key a read of it uses. */
export interface Value {
  readonly kind: 'parameter' | 'secret';
  readonly name: string;
  readonly key: string;
}

export function valuesOf(work: Workload): Value[] {
  return [
    ...work.parameters.map((name) => ({ kind: 'parameter' as const, name, key: `ssm\u0000${name}` })),
    ...work.secrets.map((name) => ({ kind: 'secret' as const, name, key: `sm\u0000${name}` })),
  ];
}

/** How one sandbox's extension reads: the function's reads, and the extension's own INIT prefetch. */
export interface Reader {
  read(value: Value): Promise<void>;
  /** Never rejects: a failed prefetch is logged by the extension and never fails INIT. */
  prefetch(): Promise<void>;
}

const GET_PARAMETERS_BATCH = 10;
const BATCH_GET_SECRETS = 20;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A read that failed for a name the backend did not return (the stand-in holds every name we read). */
class NotReturned extends Error {
  readonly code = 'NotReturned';
}

export function createReader(strategy: Strategy, work: Workload, ttlMs: number): Reader {
  const extension = createSandboxExtension({ staleOnError: strategy.staleOnError, maxConnections: 3 });
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
          await extension.readThrough(value.key, ttlMs, () => fetchOne(value));
        };

  const prefetch =
    strategy.prefetch === 'today'
      ? () => prefetchAsToday(extension, values, ttlMs)
      : strategy.prefetch === 'batched'
        ? () => batchedPrefetch(extension, values, ttlMs)
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
    const at = stored.get(value.key);
    if (at !== undefined && performance.now() - at < ttlMs) return;
    await fetchOne(value);
    stored.set(value.key, performance.now());
  };
}

/** Today's PREFETCH_PARAMETERS / PREFETCH_SECRETS: fills the cache with put; reads meanwhile miss. */
async function prefetchAsToday(
  extension: SandboxExtension,
  values: readonly Value[],
  ttlMs: number,
): Promise<void> {
  const parameters = values.filter((v) => v.kind === 'parameter');
  const secrets = values.filter((v) => v.kind === 'secret');
  const fillParameters = async (): Promise<void> => {
    if (parameters.length === 0) return;
    const found = await extension.backends.getParameters(parameters.map((v) => v.name));
    for (const parameter of found) {
      const value = parameters.find((v) => v.name === parameter.name);
      if (value !== undefined) extension.put(value.key, ttlMs, parameter.json);
    }
  };
  const fillSecrets = secrets.map(async (value) => {
    const json = await extension.backends.getSecretValue({
      secretId: value.name,
      versionId: undefined,
      versionStage: undefined,
    });
    extension.put(value.key, ttlMs, json);
  });
  await Promise.allSettled([fillParameters(), ...fillSecrets]);
}

/**
 * Model of the planned batched prefetch: GetParameters in tens, BatchGetSecretValue in twenties, each
 * item loaded through the cache's read-through so a function read of it joins the batch in flight.
 */
async function batchedPrefetch(
  extension: SandboxExtension,
  values: readonly Value[],
  ttlMs: number,
): Promise<void> {
  const parameters = values.filter((v) => v.kind === 'parameter');
  const secrets = values.filter((v) => v.kind === 'secret');
  const loads: Promise<unknown>[] = [];
  for (const batch of chunks(parameters, GET_PARAMETERS_BATCH)) {
    const call = extension.backends.getParameters(batch.map((v) => v.name));
    for (const value of batch) {
      loads.push(
        extension.readThrough(value.key, ttlMs, async () => {
          const found = (await call).find((parameter) => parameter.name === value.name);
          if (found === undefined) throw new NotReturned(`GetParameters did not return ${value.name}`);
          return found.json;
        }),
      );
    }
  }
  if (secrets.length > 0) {
    const client = batchSecretsClient();
    for (const batch of chunks(secrets, BATCH_GET_SECRETS)) {
      const call = client.send(new BatchGetSecretValueCommand({ SecretIdList: batch.map((v) => v.name) }));
      for (const value of batch) {
        loads.push(
          extension.readThrough(value.key, ttlMs, async () => {
            const found = (await call).SecretValues?.find((secret) => secret.Name === value.name);
            if (found === undefined)
              throw new NotReturned(`BatchGetSecretValue did not return ${value.name}`);
            return JSON.stringify({ Name: found.Name, SecretString: found.SecretString });
          }),
        );
      }
    }
  }
  await Promise.allSettled(loads);
}

/** The planned feature's BatchGetSecretValue client, configured as the extension configures its own. */
function batchSecretsClient(): SecretsManagerClient {
  return new SecretsManagerClient({
    requestHandler: {
      httpAgent: { keepAlive: true, maxSockets: 3 },
      httpsAgent: { keepAlive: true, maxSockets: 3 },
    },
    customUserAgent: 'parameters-secrets-extension',
  });
}
