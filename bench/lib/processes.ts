/**
 * Child processes as the bench sees them: spawned with a clean environment, measured from /proc
 * (RSS, CPU time of every thread), and always stopped (SIGTERM, then SIGKILL after a bounded wait).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the bench runs from dist/bench/ or bench/: both are two levels down). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAUNCHER = join(REPO_ROOT, 'extension/bin/parameters-secrets-extension');
export const BUNDLE = join(REPO_ROOT, 'dist/extension/index.cjs');
export const BARE_HTTP = join(REPO_ROOT, 'bench/servers/bare-http.cjs');
/** The Node running the bench (make runs it on the pinned Node 22) runs every child too. */
export const NODE = process.execPath;

/** PATH with this Node first, and nothing else inherited but what the caller adds. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${dirname(NODE)}:/usr/bin:/bin`, ...extra };
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  stderr(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run under `taskset -c <cpus>` (costs one exec: only for processes whose start is not timed). */
  readonly cpus?: string;
}

export function start(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const [file, argv] =
    options.cpus === undefined ? [command, args] : ['taskset', ['-c', options.cpus, command, ...args]];
  const child = spawn(file, argv, { env: options.env ?? childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  const pid = child.pid;
  return {
    process: child,
    pid,
    exited,
    stderr: () => stderr,
    async stop(graceMs = 2_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
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

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CapturedOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, killed after timeoutMs; resolves with its output, rejects on failure. */
export function runCaptured(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CapturedOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(`${command} ${args.join(' ')}: ${signal ?? `exit ${code}`}: ${stderr.slice(-2000)}`),
        );
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
