/**
 * The direct path: when the extension runs inside this thread (PARAMETERS_SECRETS_EXTENSION_IN_PROCESS),
 * it publishes an object under a registered symbol that answers a GET exactly as its HTTP API would.
 * Reads then skip the socket; everything done with the answer stays the same. Looked up on every read
 * (a property read), so it does not matter which of the two loaded first; anything but version 1 is
 * ignored and the read goes over HTTP.
 */

export const IN_PROCESS_SYMBOL = Symbol.for('parameters-secrets-extension.in-process');

export interface InProcessAnswer {
  readonly status: number;
  readonly body: string;
}

export interface InProcessExtension {
  readonly version: 1;
  get(target: string, token: string | undefined): Promise<InProcessAnswer>;
}

/** The in-process extension of this thread, if there is one this client speaks to. */
export function inProcessExtension(): InProcessExtension | undefined {
  const candidate = (globalThis as Record<symbol, unknown>)[IN_PROCESS_SYMBOL] as
    | Partial<InProcessExtension>
    | undefined;
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  return candidate.version === 1 && typeof candidate.get === 'function'
    ? (candidate as InProcessExtension)
    : undefined;
}
