/** Runs the built extension through its real launcher, as Lambda does, against moto. */
import { type ExtensionProcess, spawnExtension } from '../../test/helpers/extension-process.js';
import { awsEnv } from './moto.js';

export const TOKEN = 'bench-session-token';
export const TOKEN_HEADER = 'X-Aws-Parameters-Secrets-Token';

export interface ExtensionOptions {
  readonly port: number;
  /** host:port of a scripted Extensions API; without it the extension runs standalone. */
  readonly runtimeApi?: string;
  readonly cpus?: string;
  /** More variables, applied last (a TTL, an AWS endpoint in front of moto). */
  readonly env?: Record<string, string>;
}

/** Starts it and returns at once: the caller times or waits for what follows. */
export function startExtension(options: ExtensionOptions): ExtensionProcess {
  return spawnExtension({
    port: options.port,
    env: {
      ...awsEnv(),
      AWS_SESSION_TOKEN: TOKEN,
      ...(options.runtimeApi === undefined ? {} : { AWS_LAMBDA_RUNTIME_API: options.runtimeApi }),
      ...options.env,
    },
    maxOutput: 20_000,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
}

export const parameterPath = (name: string): string =>
  `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}`;
export const secretPath = (id: string): string => `/secretsmanager/get?secretId=${encodeURIComponent(id)}`;

/** GET through the extension with the token; resolves with status and body (bounded by a timeout). */
export async function extensionGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { [TOKEN_HEADER]: TOKEN },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: await response.text() };
}

/** Polls GET /ping until 200 (the app is ready) or the deadline. */
export async function waitReady(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(2_000) });
      await response.text();
      if (response.status === 200) return;
    } catch {
      // not accepting yet
    }
    if (Date.now() > deadline) throw new Error(`extension on port ${port} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
