/**
 * BatchGetSecretValue, with the fallback a role without that action needs. BatchGetSecretValue is an IAM
 * action of its own: a role granted only `secretsmanager:GetSecretValue` (enough for single reads, and
 * for prefetch before it was batched) is denied it for every id. Those ids are read one by one with
 * GetSecretValue. Only a denial falls back: a throttled batch is not replayed as one call per id, which
 * would spend many times the quota that throttled it.
 */
import { BackendError } from '../errors.js';
import type { Backends } from './types.js';

const isDenied = (result: unknown): boolean =>
  result instanceof BackendError && result.code === 'AccessDeniedException';

/** Each id's current value (its JSON body) or the error it failed with. */
export async function readSecretValues(
  backends: Backends,
  secretIds: readonly string[],
): Promise<Map<string, string | Error>> {
  const results = new Map(await backends.getSecretValues(secretIds));
  const denied = secretIds.filter((secretId) => isDenied(results.get(secretId)));
  await Promise.all(
    denied.map(async (secretId) => {
      const request = { secretId, versionId: undefined, versionStage: undefined };
      results.set(secretId, await backends.getSecretValue(request).catch((error: unknown) => error as Error));
    }),
  );
  return results;
}
