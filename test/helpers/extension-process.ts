/**
 * Runs the built extension (dist/extension via the real launcher, extension/bin/parameters-secrets-extension)
 * as a child process, on the Node that runs the tests (so `make` can test on Node 22 and Node 24).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAUNCHER = join(REPO_ROOT, 'extension/bin/parameters-secrets-extension');
export const BUNDLE = join(REPO_ROOT, 'dist/extension/index.cjs');

export interface ExtensionProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after 3 s; resolves with how it ended. */
  stop(): Promise<number | string>;
}

export interface StartOptions {
  readonly port: number;
  readonly env?: Record<string, string | undefined>;
  /** Wait for GET /ping to answer 200 (default true). */
  readonly waitReady?: boolean;
}

export function assertBuilt(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`make build\` first`);
}

/** Environment with nothing inherited but PATH (with this Node first) and what the test passes. */
function childEnv(port: number, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
  };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export async function startExtension(options: StartOptions): Promise<ExtensionProcess> {
  assertBuilt();
  const child = spawn(LAUNCHER, [], { env: childEnv(options.port, options.env ?? {}), stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const handle: ExtensionProcess = {
    child,
    port: options.port,
    baseUrl,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
  if (options.waitReady !== false) await waitForPing(baseUrl, exited, () => output);
  return handle;
}

async function waitForPing(baseUrl: string, exited: Promise<unknown>, output: () => string): Promise<void> {
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (ended) throw new Error(`extension exited during start-up:\n${output()}`);
    const ok = await fetch(`${baseUrl}/ping`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`extension did not answer /ping within 10 s:\n${output()}`);
}
