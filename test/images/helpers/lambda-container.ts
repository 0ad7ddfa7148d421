import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { runCommand } from '../../helpers/command.js';
import { freePort } from '../../helpers/free-port.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * One Lambda container under its built-in RIE, run the way Lambda runs functions: read-only root,
 * only /tmp writable, an arbitrary non-root uid (or root, which the RIE's multi-concurrent mode needs). The lab's engine has only the host network, so the
 * RIE's two listeners and the extension's port are moved to free loopback ports of their own
 * (LAMBDA_RIE_OPTIONS, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT): containers never collide, with
 * each other or with anything else on the machine.
 */
export interface LambdaContainerOptions {
  readonly image: string;
  readonly platform: string;
  readonly namePrefix: string;
  readonly handler: string;
  readonly awsEndpoint: string;
  readonly environment: Record<string, string>;
  /** Read-only bind mounts, host path -> container path (e.g. a function's code on /var/task). */
  readonly mounts?: Record<string, string>;
  /**
   * uid:gid to run as (default LAMBDA_LIKE_USER). The RIE's multi-concurrent emulation
   * (AWS_LAMBDA_MAX_CONCURRENCY) starts the runtime and extensions as uid 993 / gid 990 itself,
   * which only root may do: those containers pass ROOT_USER.
   */
  readonly user?: string;
}

export interface InvokeResult {
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

/** An arbitrary uid/gid, neither root nor any account in the image (Lambda's are like sbx_user1051). */
export const LAMBDA_LIKE_USER = '23456:23456';
/** For the RIE's multi-concurrent mode only: its process supervisor needs root to drop to uid 993. */
export const ROOT_USER = '0:0';

export class LambdaContainer {
  readonly name: string;
  readonly platform: string;
  readonly sessionToken: string;
  private readonly invokePort: number;

  private constructor(name: string, platform: string, sessionToken: string, invokePort: number) {
    this.name = name;
    this.platform = platform;
    this.sessionToken = sessionToken;
    this.invokePort = invokePort;
  }

  static async start(options: LambdaContainerOptions): Promise<LambdaContainer> {
    const [invokePort, runtimeApiPort, extensionPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
    ]);
    const name = `${options.namePrefix}-${randomBytes(4).toString('hex')}`;
    const sessionToken = `session-${randomBytes(12).toString('hex')}`;
    const environment: Record<string, string> = {
      LAMBDA_RIE_OPTIONS: `--runtime-interface-emulator-address 127.0.0.1:${invokePort} --runtime-api-address 127.0.0.1:${runtimeApiPort}`,
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extensionPort),
      AWS_ENDPOINT_URL: options.awsEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: sessionToken,
      AWS_EC2_METADATA_DISABLED: 'true',
      // Fail a hung init fast instead of after the RIE's default 300 s; arm64 runs under QEMU.
      AWS_LAMBDA_FUNCTION_TIMEOUT: '60',
      ...options.environment,
    };
    const args = ['run', '--detach', '--name', name, '--platform', options.platform, '--pull', 'always'];
    args.push(
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--user',
      options.user ?? LAMBDA_LIKE_USER,
    );
    for (const [key, value] of Object.entries(environment)) args.push('--env', `${key}=${value}`);
    for (const [source, target] of Object.entries(options.mounts ?? {})) {
      args.push('--mount', `type=bind,source=${source},target=${target},readonly`);
    }
    args.push(options.image, options.handler);
    const container = new LambdaContainer(name, options.platform, sessionToken, invokePort);
    try {
      await runCommand('docker', args, { timeoutMs: 180_000 });
      await container.waitUntilListening();
    } catch (error) {
      const logs = await container.logs().catch(() => '');
      await container.remove();
      throw new Error(`${name} did not start: ${String(error)}\n${logs}`);
    }
    return container;
  }

  /** The RIE accepts connections at once; init happens on the first invoke (at start-up in multi-concurrent mode). */
  private async waitUntilListening(): Promise<void> {
    await waitFor(
      `${this.name} to listen on 127.0.0.1:${this.invokePort}`,
      async () => {
        if (!(await this.isRunning())) throw new Error(`${this.name} exited`);
        return (await canConnect(this.invokePort)) ? true : undefined;
      },
      30_000,
    );
  }

  async isRunning(): Promise<boolean> {
    const { stdout } = await runCommand('docker', ['inspect', '--format', '{{.State.Running}}', this.name], {
      timeoutMs: 10_000,
    });
    return stdout.toString().trim() === 'true';
  }

  async invoke(payload: unknown = {}): Promise<InvokeResult> {
    const started = performance.now();
    const response = await fetch(
      `http://127.0.0.1:${this.invokePort}/2015-03-31/functions/function/invocations`,
      {
        method: 'POST',
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(120_000),
      },
    );
    const body = await response.text();
    return { status: response.status, body, elapsedMs: performance.now() - started };
  }

  /** `docker stop` (SIGTERM to the RIE), timed until the container has exited. */
  async stop(): Promise<{ elapsedMs: number; exitCode: number }> {
    const started = performance.now();
    await runCommand('docker', ['stop', '--time', '10', this.name], { timeoutMs: 30_000 });
    const elapsedMs = performance.now() - started;
    const { stdout } = await runCommand('docker', ['inspect', '--format', '{{.State.ExitCode}}', this.name], {
      timeoutMs: 10_000,
    });
    return { elapsedMs, exitCode: Number(stdout.toString().trim()) };
  }

  /** stdout and stderr together: the RIE copies the runtime's and extensions' output to stdout. */
  async logs(): Promise<string> {
    const { stdout, stderr } = await runCommand('docker', ['logs', this.name], { timeoutMs: 10_000 });
    return `${stdout.toString()}${stderr}`;
  }

  async remove(): Promise<void> {
    await runCommand('docker', ['rm', '--force', '--volumes', this.name], {
      timeoutMs: 30_000,
      allowFailure: true,
    });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs one command in a fresh container of `image` (entrypoint replaced), returning its raw stdout. */
export async function runInImage(
  image: string,
  platform: string,
  command: readonly string[],
): Promise<Buffer> {
  const [entrypoint, ...args] = command;
  if (entrypoint === undefined) throw new Error('runInImage needs a command');
  const name = `images-test-probe-${randomBytes(4).toString('hex')}`;
  try {
    const { stdout } = await runCommand(
      'docker',
      [
        'run',
        '--rm',
        '--name',
        name,
        '--platform',
        platform,
        '--network',
        'none',
        '--read-only',
        '--user',
        LAMBDA_LIKE_USER,
      ].concat(['--entrypoint', entrypoint, image], args),
      { timeoutMs: 120_000 },
    );
    return stdout;
  } finally {
    await runCommand('docker', ['rm', '--force', name], { timeoutMs: 30_000, allowFailure: true });
  }
}
