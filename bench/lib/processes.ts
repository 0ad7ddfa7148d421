/**
 * Child processes as the bench sees them: spawned with a clean environment, measured from /proc
 * (RSS, CPU time of every thread), and always stopped (SIGTERM, then SIGKILL after a bounded wait).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, startProcess } from '../../test/helpers/process.js';

export { freePort } from '../../test/helpers/free-port.js';

/** The repository root (the bench runs from dist/bench/ or bench/: both are two levels down). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BARE_HTTP = join(REPO_ROOT, 'bench/servers/bare-http.cjs');
/** The Node running the bench (make runs it on the pinned Node 22) runs every child too. */
export const NODE = process.execPath;

/** PATH with this Node first, and nothing else inherited but what the caller adds. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${dirname(NODE)}:/usr/bin:/bin`, ...extra };
}

export type { Child } from '../../test/helpers/process.js';

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run under `taskset -c <cpus>` (costs one exec: only for processes whose start is not timed). */
  readonly cpus?: string;
}

/** A child with the bench's clean environment; the first 20 KB of its output are kept for errors. */
export function start(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  return startProcess(command, args, {
    env: options.env ?? childEnv(),
    maxOutput: 20_000,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
}

/**
 * CPU time (user + sys) of every live thread of a process in ms, from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds; /proc/<pid>/stat counts in 10 ms ticks, too coarse for a 30 ms start). A task keeps its
 * schedstat across exec, so the shell launcher's time before it execs node is included.
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between readdir and read
    }
  }
  return ns / 1e6;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
