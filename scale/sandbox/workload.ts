/** What every virtual sandbox reads: the same names, as one function's execution environments would. */
import type { Contents } from '../standin/store.js';

export interface Workload {
  /** Parameter names, read with withDecryption=true (SecureStrings among them cost a KMS Decrypt). */
  readonly parameters: readonly string[];
  readonly secrets: readonly string[];
}

/** `parameters` String parameters under /scale/app/ (the last one a SecureString) and `secrets` secrets. */
export function workload(parameters: number, secrets: number): Workload {
  return {
    parameters: Array.from({ length: parameters }, (_, i) =>
      i === parameters - 1 ? `/scale/app/secure-${i + 1}` : `/scale/app/param-${i + 1}`,
    ),
    secrets: Array.from({ length: secrets }, (_, i) => `scale/app/secret-${i + 1}`),
  };
}

/** What the stand-in must hold for this workload. */
export function contentsFor(work: Workload): Contents {
  return {
    parameters: work.parameters.map((name) => ({
      name,
      type: name.includes('/secure-') ? ('SecureString' as const) : ('String' as const),
      value: `value of ${name}`,
    })),
    secrets: work.secrets.map((name) => ({ name, value: JSON.stringify({ password: `pw-${name}` }) })),
  };
}
