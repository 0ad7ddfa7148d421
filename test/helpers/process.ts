/**
 * Long-running child processes for the tests and the bench: spawned without a shell, their output
 * captured, always stoppable (SIGTERM, then SIGKILL after a bounded wait).
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Child {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far (up to `maxOutput` characters). */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface ProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run under `taskset -c <cpus>` (costs one exec: only for processes whose start is not timed). */
  readonly cpus?: string;
  /** Keep at most this much output (the first of it); default: all. */
  readonly maxOutput?: number;
}

export function startProcess(command: string, args: readonly string[], options: ProcessOptions = {}): Child {
  const [file, argv] =
    options.cpus === undefined ? [command, args] : ['taskset', ['-c', options.cpus, command, ...args]];
  const child = spawn(file, argv, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  const max = options.maxOutput ?? Number.POSITIVE_INFINITY;
  let output = '';
  const capture = (chunk: Buffer): void => {
    if (output.length < max) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    pid: child.pid,
    output: () => output,
    exited,
    stop: async (graceMs = 3_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}
