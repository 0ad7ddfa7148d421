import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../helpers/free-port.js';
import { waitFor } from './command.js';

/**
 * A moto server of our own on a free loopback port: the lab's pinned moto (its venv), but a private
 * process, so other suites resetting the shared server on :5055 cannot wipe our data mid-scenario.
 */
export interface PrivateMoto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const MOTO_SERVER =
  process.env.MOTO_SERVER ??
  `${process.env.LAB_STATE_DIR ?? '/var/lib/lambda-nodejs-lab'}/moto-venv/bin/moto_server`;

/** `host`: the address to bind, loopback unless containers on a bridge must reach it (test/sam). */
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
        const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
        return response.ok ? true : undefined;
      },
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}
