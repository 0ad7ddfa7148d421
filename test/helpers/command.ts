/**
 * The one command runner of the tests and the bench: no shell, bounded in time, output captured.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Kill the command after this long (every external call in the tests is bounded). */
  readonly timeoutMs: number;
  /** Resolve with a non-zero exit code instead of rejecting. */
  readonly allowFailure?: boolean;
  readonly cwd?: string;
  /** The whole environment of the command (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command without a shell; rejects with its stderr when it fails or times out. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString(),
      };
      if (signal !== null) {
        reject(new Error(`${command} ${args.join(' ')}: killed by ${signal} after ${options.timeoutMs} ms`));
      } else if (result.code !== 0 && options.allowFailure !== true) {
        reject(new Error(`${command} ${args.join(' ')}: exit ${result.code}\n${result.stderr.slice(-4000)}`));
      } else {
        resolve(result);
      }
    });
  });
}
