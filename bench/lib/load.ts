/** Runs the load generators (wrk, and our Node.js loadgen) as separate, pinned, time-bounded processes. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../test/helpers/command.js';
import type { LoadResult } from '../loadgen.js';
import { awsEnv } from './moto.js';
import { childEnv, NODE } from './processes.js';

export type { LoadResult };

/** Core for servers; load generators get LOAD_CPU (the machine has 2). */
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';

async function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  return (await runCommand(command, args, { timeoutMs, env })).stdout.toString();
}

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

function durationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (match === null) throw new Error(`cannot read wrk duration ${text}`);
  const value = Number(match[1]);
  return match[2] === 'us'
    ? value / 1000
    : match[2] === 'ms'
      ? value
      : match[2] === 's'
        ? value * 1000
        : value * 60_000;
}

/** wrk with one thread on LOAD_CPU, keep-alive (wrk's default), `connections` connections. */
export async function wrk(
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string>,
): Promise<WrkResult> {
  const args = [
    '-c',
    LOAD_CPU,
    'wrk',
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    '--timeout',
    '5s',
  ];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const out = await run('taskset', args, childEnv(), (seconds + 30) * 1000);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1];
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1];
  if (rps === undefined || p50 === undefined || p99 === undefined)
    throw new Error(`cannot read wrk output:\n${out}`);
  return {
    rps: Number(rps),
    p50Ms: durationMs(p50),
    p99Ms: durationMs(p99),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
  };
}

const LOADGEN = join(dirname(fileURLToPath(import.meta.url)), 'loadgen.mjs');

export async function loadgen(spec: Record<string, unknown>, timeoutMs = 120_000): Promise<LoadResult> {
  const out = await run(
    'taskset',
    ['-c', LOAD_CPU, NODE, LOADGEN, JSON.stringify(spec)],
    childEnv(awsEnv()),
    timeoutMs,
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult;
}
