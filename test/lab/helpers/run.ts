import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface RunResult {
  stdout: string;
  stderr: string;
}

// Run a command without a shell; on failure the error names the command and carries its stderr.
export async function run(command: string, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failure.stderr?.trim() || failure.message}`);
  }
}
