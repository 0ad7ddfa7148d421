import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CommandResult, runCommand } from '../../helpers/command.js';

/** What lab/sam.sh provides: the SAM CLI, the engine it must use, the engine's bridge address. */
export interface SamLab {
  readonly samCli: string;
  readonly dockerHost: string;
  readonly bridgeAddress: string;
}

const LAB_SAM = fileURLToPath(new URL('../../../lab/sam.sh', import.meta.url));

export async function samLab(): Promise<SamLab> {
  const { stdout } = await runCommand(LAB_SAM, ['env'], { timeoutMs: 10_000 });
  const values = Object.fromEntries(
    stdout
      .toString()
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const { SAM_CLI, DOCKER_HOST, SAM_BRIDGE_ADDRESS } = values;
  if (!SAM_CLI || !DOCKER_HOST || !SAM_BRIDGE_ADDRESS) throw new Error(`lab/sam.sh env gave ${stdout}`);
  return { samCli: SAM_CLI, dockerHost: DOCKER_HOST, bridgeAddress: SAM_BRIDGE_ADDRESS };
}

/**
 * The environment SAM CLI runs in: the SAM engine, long-lived test keys (no session token, as on a
 * developer's machine), no telemetry, and a private config directory whose last version check is
 * "now", so SAM does not call PyPI or AWS during the test.
 */
export function samEnvironment(lab: SamLab, configDir: string): NodeJS.ProcessEnv {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'metadata.json'),
    JSON.stringify({ telemetryEnabled: false, lastVersionCheck: Date.now() / 1000 }),
  );
  const { PATH, HOME } = process.env;
  return {
    PATH,
    HOME,
    DOCKER_HOST: lab.dockerHost,
    __SAM_CLI_APP_DIR: configDir,
    SAM_CLI_TELEMETRY: '0',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // arm64 or a loaded machine can take longer than SAM's 20 s to accept the first connection.
    SAM_CLI_CONTAINER_CONNECTION_TIMEOUT: '120',
  };
}

/** Runs one SAM CLI command in `cwd`, bounded; resolves with its exit code and output (never rejects on an exit code). */
export function sam(
  lab: SamLab,
  env: NodeJS.ProcessEnv,
  cwd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<CommandResult> {
  return runCommand(lab.samCli, args, { timeoutMs, allowFailure: true, cwd, env });
}

/** A long-running `sam local start-api`; stop() sends SIGINT (SAM removes its containers) and waits. */
export interface RunningSam {
  readonly output: () => string;
  stop(): Promise<void>;
}

export function startSam(
  lab: SamLab,
  env: NodeJS.ProcessEnv,
  cwd: string,
  args: readonly string[],
): RunningSam {
  const child: ChildProcess = spawn(lab.samCli, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = `${output}${chunk.toString()}`.slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Pulls `image` onto SAM's engine. `sam build` uses the engine's classic builder without pulling, so
 * a base image it already holds would be used even after `make images` pushed a new one.
 */
export async function pullImage(lab: SamLab, image: string): Promise<void> {
  await runCommand('docker', ['--host', lab.dockerHost, 'pull', '--quiet', image], { timeoutMs: 300_000 });
}

/** Removes the images SAM built for `repository` from its engine (bounded; leftovers are harmless). */
export async function removeImages(lab: SamLab, repository: string, tags: readonly string[]): Promise<void> {
  await runCommand(
    'docker',
    ['--host', lab.dockerHost, 'rmi', '--force', ...tags.map((tag) => `${repository}:${tag}`)],
    { timeoutMs: 60_000, allowFailure: true },
  );
}
