import { runCommand } from '../../helpers/command.js';

export interface RunResult {
  stdout: string;
  stderr: string;
}

// Run a command without a shell (the tests' one runner); on failure the error names the command and
// carries its stderr.
export async function run(command: string, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  const result = await runCommand(command, args, { timeoutMs });
  return { stdout: result.stdout.toString('utf8'), stderr: result.stderr };
}
