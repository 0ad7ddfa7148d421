/**
 * Gives back the young generation V8 grew during a burst of misses. Loading the SDK and the first
 * values makes many objects survive scavenges, so V8 grows its new space from 1 MiB to 8 MiB per
 * semi-space (16 MiB of RSS) and never shrinks it while the process is idle: measured, the RSS after
 * 1,000 misses stays at ~91 MB instead of ~77 MB. Lambda bills the function for that memory.
 *
 * The launcher cannot cap it with --max-semi-space-size: heap-size flags are part of the V8 flag hash
 * that guards Node's embedded code cache, so they make every start ~11 ms slower (docs/benchmarks.md).
 * Instead, once the misses have been quiet for QUIET_MS and the new space is grown, one
 * memory-reducing full GC (V8's `last-resort` flavour, which shrinks the new space) runs. `gc` is
 * exposed only for that moment, after start-up, and the flag is set back at once, so the code-cache
 * flag hash is the default again for anything loaded later.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Backends } from '../backends/types.js';
import type { Logger } from '../logger.js';

/** Misses usually come in a burst (a function's INIT reads its values one after another). */
const QUIET_MS = 500;
/** V8 starts the new space at 1 MiB per semi-space (2 MiB in all); above this it has grown. */
const GROWN_BYTES = 4 * 1024 * 1024;

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

function exposeGc(): GcFunction | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as GcFunction;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

export class YoungGenerationTrimmer {
  private timer: NodeJS.Timeout | undefined;
  private gc: GcFunction | undefined;
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Called when a backend call settles: (re)arms the quiet timer. */
  poke(): void {
    if (this.timer !== undefined) this.timer.refresh();
    else this.timer = setTimeout(() => this.trim(), QUIET_MS).unref();
  }

  /** The backends, with every call poking the trimmer when it settles. */
  wrap(backends: Backends): Backends {
    const settle = <T>(call: Promise<T>): Promise<T> => {
      call.then(
        () => this.poke(),
        () => this.poke(),
      );
      return call;
    };
    return {
      getParameter: (request) => settle(backends.getParameter(request)),
      getParameters: (names) => settle(backends.getParameters(names)),
      getSecretValue: (request) => settle(backends.getSecretValue(request)),
    };
  }

  private trim(): void {
    this.timer = undefined;
    const before = newSpaceBytes();
    if (before <= GROWN_BYTES) return;
    this.gc ??= exposeGc();
    if (this.gc === undefined) return;
    const started = performance.now();
    this.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    if (this.logger.enabled('DEBUG')) {
      this.logger.debug(
        `Young generation trimmed from ${(before / 2 ** 20).toFixed(0)} to ${(newSpaceBytes() / 2 ** 20).toFixed(0)} MiB in ${(performance.now() - started).toFixed(1)} ms.`,
      );
    }
  }
}
