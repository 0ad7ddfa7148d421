/**
 * Runs the built extension as a child process, on the Node that runs the tests (so `make` can test on
 * every Node major), in either mode:
 *   separate    dist/extension via the real launcher (extension/bin/parameters-secrets-extension),
 *   in-process  `node --require dist/extension/in-process.cjs` on a stand-in for the function
 *               (in-process-host.cjs), with PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true.
 * Suites that hold for both modes run once per mode (`EXTENSION_MODES`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { TEST_TOKEN } from './http.js';
import { AWS_TEST_ENV } from './moto.js';
import { type Child, startProcess } from './process.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAUNCHER = join(REPO_ROOT, 'extension/bin/parameters-secrets-extension');
export const BUNDLE = join(REPO_ROOT, 'dist/extension/index.cjs');
export const IN_PROCESS_BUNDLE = join(REPO_ROOT, 'dist/extension/in-process.cjs');
export const IN_PROCESS_HOST = join(REPO_ROOT, 'test/helpers/in-process-host.cjs');

export type ExtensionMode = 'separate' | 'in-process';
export const EXTENSION_MODES: readonly ExtensionMode[] = ['separate', 'in-process'];
/** The bundle each mode runs (its process's command line names it). */
export const BUNDLE_OF: Readonly<Record<ExtensionMode, string>> = {
  separate: BUNDLE,
  'in-process': IN_PROCESS_BUNDLE,
};

export interface ExtensionProcess extends Child {
  readonly port: number;
  readonly baseUrl: string;
}

export interface StartOptions {
  readonly port: number;
  readonly env?: Record<string, string | undefined>;
  /** Wait for GET /ping to answer 200 (default true). */
  readonly waitReady?: boolean;
  /** Pin it to these CPUs (`taskset -c`). */
  readonly cpus?: string;
  /** Keep at most this much of its output. */
  readonly maxOutput?: number;
  /** Default: separate. */
  readonly mode?: ExtensionMode;
  /** In-process mode: arguments of the stand-in function (in-process-host.cjs). */
  readonly hostArgs?: readonly string[];
}

export function assertBuilt(mode: ExtensionMode = 'separate'): void {
  const bundle = BUNDLE_OF[mode];
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`make build\` first`);
}

/** Environment with nothing inherited but PATH (with this Node first) and what the caller passes. */
export function extensionEnv(port: number, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
  };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** Starts the extension through its launcher and returns at once (the bench times what follows). */
export function spawnExtension(options: Omit<StartOptions, 'waitReady'>): ExtensionProcess {
  const mode = options.mode ?? 'separate';
  assertBuilt(mode);
  const [command, args, extra] =
    mode === 'separate'
      ? [LAUNCHER, [], {}]
      : [
          process.execPath,
          ['--require', IN_PROCESS_BUNDLE, IN_PROCESS_HOST, ...(options.hostArgs ?? [])],
          { PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'true' },
        ];
  const started = startProcess(command, args, {
    env: extensionEnv(options.port, { ...extra, ...options.env }),
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
    ...(options.maxOutput === undefined ? {} : { maxOutput: options.maxOutput }),
  });
  return { ...started, port: options.port, baseUrl: `http://127.0.0.1:${options.port}` };
}

/** Starts the extension; resolves once GET /ping answers 200, unless `waitReady` is false. */
export async function startExtension(options: StartOptions): Promise<ExtensionProcess> {
  const extension = spawnExtension(options);
  if (options.waitReady !== false) await waitForPing(extension.baseUrl, extension.exited, extension.output);
  return extension;
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

/**
 * Extensions started on free ports against one AWS endpoint (moto, or a proxy in front of it) with the
 * tests' credentials and token, all stopped by `stopAll`: for suites that start one per scenario.
 */
export function extensionsAgainst(
  endpoint: () => string,
  mode: ExtensionMode = 'separate',
): {
  start(env?: Record<string, string>): Promise<ExtensionProcess>;
  stopAll(): Promise<void>;
} {
  const running: ExtensionProcess[] = [];
  return {
    async start(env = {}) {
      const extension = await startExtension({
        port: await freePort(),
        env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: endpoint(), AWS_SESSION_TOKEN: TEST_TOKEN, ...env },
        mode,
      });
      running.push(extension);
      return extension;
    },
    async stopAll() {
      await Promise.all(running.splice(0).map((extension) => extension.stop()));
    },
  };
}
