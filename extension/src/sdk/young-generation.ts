/**
 * Keeps V8's young generation from growing once the SDK is in use.
 *
 * Loading the SDK and serving the first misses makes V8 grow its new space from 2 to 16 MB, which it
 * keeps for the life of the sandbox (~10 MB of charged memory; docs/benchmarks.md). The launcher
 * cannot cap it with `--max-semi-space-size`: V8 flags given at start-up are part of the flag hash
 * that guards the code cache of Node's own modules (and of aws.cjs), so every start would compile
 * `node:http` from source. `--semi-space-growth-factor=1` set at run time stops further growth (V8
 * reads the factor each time it would grow the new space). It changes the flag hash too, so it is set
 * once the modules that come from a code cache are loaded, or are about to be loaded from one made
 * under it (load.ts decides when).
 */
import type { Backends } from '../backends/types.js';

export const GROWTH_FLAG = '--semi-space-growth-factor=1';

export function stopYoungGenerationGrowth(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString(GROWTH_FLAG);
}

/** The same backends; `once` runs after the first call of any of them settles (success or error). */
export function afterFirstCall(backends: Backends, once: () => void): Backends {
  let pending = true;
  const settle = <T>(call: Promise<T>): Promise<T> => {
    if (!pending) return call;
    pending = false;
    const run = (): void => once();
    call.then(run, run);
    return call;
  };
  return {
    getParameter: (request) => settle(backends.getParameter(request)),
    getParameters: (names, withDecryption) => settle(backends.getParameters(names, withDecryption)),
    getParametersByPath: (request, maxParameters) =>
      settle(backends.getParametersByPath(request, maxParameters)),
    getSecretValue: (request) => settle(backends.getSecretValue(request)),
    getSecretValues: (secretIds) => settle(backends.getSecretValues(secretIds)),
  };
}
