/**
 * moto for the tests and the bench: the lab's server (lab/moto.sh) or one of our own on a free port
 * (the lab's pinned install), its reset, and SDK clients to seed it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

export const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT ?? 'http://127.0.0.1:5055';

/** Fake credentials and region every process talking to moto gets. */
export const AWS_TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'moto-test-secret-access-key',
  AWS_REGION: 'us-east-1',
} as const;

/**
 * Empties moto. node:http rather than fetch: fetch refuses ports on its "bad ports" list (5061 is one),
 * and a private moto may be on any port.
 */
export function resetMoto(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${MOTO_ENDPOINT}/moto-api/reset`, { method: 'POST', timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`moto reset failed: HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (error) =>
      reject(new Error(`moto is not answering at ${MOTO_ENDPOINT} (run lab/moto.sh up): ${String(error)}`)),
    );
    req.end();
  });
}

const clientConfig = {
  endpoint: MOTO_ENDPOINT,
  region: AWS_TEST_ENV.AWS_REGION,
  credentials: {
    accessKeyId: AWS_TEST_ENV.AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_TEST_ENV.AWS_SECRET_ACCESS_KEY,
  },
};

export function motoSsm(): SSMClient {
  return new SSMClient(clientConfig);
}

export function motoSecretsManager(): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig);
}

/** A moto server of our own, so suites resetting the shared one cannot wipe our data mid-run. */
export interface PrivateMoto {
  readonly endpoint: string;
  /** The last 4 KB it wrote to stderr. */
  stderr(): string;
  stop(): Promise<void>;
}

const MOTO_SERVER =
  process.env.MOTO_SERVER ??
  `${process.env.LAB_STATE_DIR ?? '/var/lib/lambda-nodejs-lab'}/moto-venv/bin/moto_server`;

/** Whether moto answers at `endpoint` (node:http: fetch refuses some ports). */
function motoAnswers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/moto-api/data.json`, { timeout: 1_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Starts the lab's pinned moto on a free port and resolves once it answers (≤ 30 s). `host`: the
 * address to bind, loopback unless containers on the lab's SAM bridge must reach it (test/sam).
 */
export async function startPrivateMoto(host = '127.0.0.1'): Promise<PrivateMoto> {
  const port = await freePort();
  const endpoint = `http://${host}:${port}`;
  const server: ChildProcess = spawn(MOTO_SERVER, ['-H', host, '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString()}`.slice(-4000);
  });
  server.once('error', (error) => {
    stderr = `${stderr}${String(error)}`;
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  };
  try {
    await waitFor(
      `moto (${MOTO_SERVER}) on ${endpoint}`,
      async () => {
        if (server.exitCode !== null) throw new Error(`moto_server exited ${server.exitCode}: ${stderr}`);
        return (await motoAnswers(endpoint)) ? true : undefined;
      },
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stderr: () => stderr, stop };
}
