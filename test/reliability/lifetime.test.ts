/**
 * Lifetime under stress (real process, scripted Extensions API, fault proxy in front of moto):
 * SHUTDOWN or SIGTERM arriving while requests are in flight (their backend answer held at the proxy)
 * lets them finish or fail cleanly, the process exits 0 well inside Lambda's 2 s, and nothing is left
 * listening. Registration failures (4xx, 5xx, no answer, nothing listening) end the process with a
 * non-zero exit and a log line, within a bounded time, never a hang.
 */
import { Agent, request } from 'node:http';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { type FakeExtensionsApi, startFakeExtensionsApi } from '../helpers/fake-extensions-api.js';
import { accepts, freePort } from '../helpers/free-port.js';
import { TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';
import { startRawTcpServer } from '../helpers/raw-tcp-server.js';
import { withTimeout } from '../helpers/wait.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { listeningAddresses } from './helpers/proc.js';

const HELD = '/reliability/lifetime/held';
const CACHED = '/reliability/lifetime/cached';
const VALUE = 'lifetime-value-c4d2';
/** Lambda's budget after SHUTDOWN is 2 s; "well inside" leaves room for the runtime's own share. */
const EXIT_BOUND_MS = 1_700;

type Outcome =
  | { readonly kind: 'response'; readonly status: number; readonly body: string; readonly at: number }
  | { readonly kind: 'closed'; readonly code: string; readonly at: number };

/** One GET whose outcome is either a complete response or a closed connection, never a hang (10 s). */
function inFlight(port: number, name: string, agent?: Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}`,
        headers: { 'X-Aws-Parameters-Secrets-Token': TEST_TOKEN },
        ...(agent === undefined ? {} : { agent }),
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ kind: 'response', status: res.statusCode ?? 0, body, at: Date.now() }));
        res.on('aborted', () => resolve({ kind: 'closed', code: 'aborted mid-body', at: Date.now() }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ kind: 'closed', code: error.code ?? error.message, at: Date.now() }),
    );
    req.end();
  });
}

let proxy: FaultProxy;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  await resetMoto();
  for (const name of [HELD, CACHED]) {
    await motoSsm().send(new PutParameterCommand({ Name: name, Value: VALUE, Type: 'String' }));
  }
  proxy = await startFaultProxy(MOTO_ENDPOINT);
});

afterEach(async () => {
  proxy.setFault(HELD, undefined);
  proxy.release();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await proxy?.close();
});

async function underLambda(): Promise<{
  api: FakeExtensionsApi;
  extension: ExtensionProcess;
  keepAlive: Agent;
}> {
  const api = await startFakeExtensionsApi();
  cleanups.push(() => api.close());
  const extension = await startExtension({
    port: await freePort(),
    env: {
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL: proxy.url,
      AWS_SESSION_TOKEN: TEST_TOKEN,
      AWS_LAMBDA_RUNTIME_API: api.address,
    },
  });
  cleanups.push(() => extension.stop());
  await withTimeout(api.waitForNext(), 5_000, 'first /event/next');
  // A cached value, and an idle keep-alive connection that must not hold the exit up.
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(async () => keepAlive.destroy());
  const warm = await inFlight(extension.port, CACHED, keepAlive);
  expect(warm).toMatchObject({ kind: 'response', status: 200 });
  return { api, extension, keepAlive };
}

async function holdRequests(extension: ExtensionProcess): Promise<Promise<Outcome>[]> {
  proxy.setFault(HELD, { kind: 'hold' });
  const calls = proxy.calls(HELD);
  // Three callers of one held miss (they share one backend call), plus a fresh connection each.
  const pending = [0, 1, 2].map(() => inFlight(extension.port, HELD));
  const deadline = Date.now() + 5_000;
  while (proxy.calls(HELD) === calls && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(proxy.calls(HELD), 'the miss reached the proxy and is held there').toBe(calls + 1);
  return pending;
}

async function expectGone(extension: ExtensionProcess, stoppedAt: number): Promise<void> {
  const code = await withTimeout(extension.exited, 3_000, 'exit');
  expect(code).toBe(0);
  expect(Date.now() - stoppedAt).toBeLessThan(EXIT_BOUND_MS);
  expect(listeningAddresses(extension.port)).toEqual([]);
  expect(await accepts(extension.port)).toBe(false);
}

describe('SHUTDOWN and SIGTERM with requests in flight', () => {
  it('SHUTDOWN: held requests whose backend answers within the grace period get their 200, then exit 0', async () => {
    const { api, extension } = await underLambda();
    const pending = await holdRequests(extension);

    const stoppedAt = Date.now();
    api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: stoppedAt + 2_000 });
    setTimeout(() => proxy.release(), 300);

    const outcomes = await Promise.all(pending);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ kind: 'response', status: 200 });
      if (outcome.kind === 'response') expect(JSON.parse(outcome.body).Parameter.Value).toBe(VALUE);
    }
    await expectGone(extension, stoppedAt);
    expect(extension.output()).toContain('Shutting down (SHUTDOWN event');
  });

  it.each(['SHUTDOWN', 'SIGTERM'])(
    '%s: requests whose backend never answers are closed cleanly, exit 0 well inside 2 s, nothing listening',
    async (how) => {
      const { api, extension } = await underLambda();
      const pending = await holdRequests(extension);

      const stoppedAt = Date.now();
      if (how === 'SIGTERM') extension.child.kill('SIGTERM');
      else api.push({ eventType: 'SHUTDOWN', shutdownReason: 'timeout', deadlineMs: stoppedAt + 2_000 });

      const outcomes = await withTimeout(Promise.all(pending), 3_000, 'in-flight requests to end');
      for (const outcome of outcomes) {
        // Either a complete answer or a connection closed without a partial one; never a hang.
        if (outcome.kind === 'response') expect(outcome.status).toBeLessThan(500);
        else expect(['ECONNRESET', 'ECONNREFUSED', 'socket hang up']).toContain(outcome.code);
        expect(outcome.at - stoppedAt).toBeLessThan(EXIT_BOUND_MS);
      }
      await expectGone(extension, stoppedAt);
    },
  );

  it('SIGTERM while idle between invokes: exit 0 at once', async () => {
    const { extension } = await underLambda();
    const stoppedAt = Date.now();
    extension.child.kill('SIGTERM');
    await expectGone(extension, stoppedAt);
    expect(Date.now() - stoppedAt).toBeLessThan(500);
  });
});

describe('registration failures', () => {
  /** Accepts connections and never answers: a Runtime API that hangs. */
  async function silentApi(): Promise<string> {
    const server = await startRawTcpServer(() => undefined);
    cleanups.push(() => server.close());
    return server.address;
  }

  async function scripted(status: number): Promise<string> {
    const api = await startFakeExtensionsApi({ registerStatus: status });
    cleanups.push(() => api.close());
    return api.address;
  }

  it.each([
    { answer: '403', runtimeApi: () => scripted(403), bound: 3_000, log: 'register failed: HTTP 403' },
    { answer: '500', runtimeApi: () => scripted(500), bound: 3_000, log: 'register failed: HTTP 500' },
    {
      answer: 'nothing (connection refused)',
      runtimeApi: async () => `127.0.0.1:${await freePort()}`,
      bound: 3_000,
      log: 'ECONNREFUSED',
    },
    // The client gives /register 5 s.
    { answer: 'no answer at all', runtimeApi: silentApi, bound: 8_000, log: 'no answer within 5000 ms' },
  ])(
    'registration answered with $answer: non-zero exit with a log line, within a bound',
    async ({ runtimeApi, bound, log }) => {
      const api = await runtimeApi();
      const port = await freePort();
      const startedAt = Date.now();
      const extension = await startExtension({
        port,
        env: { ...AWS_TEST_ENV, AWS_SESSION_TOKEN: TEST_TOKEN, AWS_LAMBDA_RUNTIME_API: api },
        waitReady: false,
      });
      cleanups.push(() => extension.stop());

      const code = await withTimeout(extension.exited, bound, 'exit after a failed registration');

      expect(code).not.toBe(0);
      expect(Date.now() - startedAt).toBeLessThan(bound);
      expect(extension.output()).toContain('Registration with the Extensions API failed');
      expect(extension.output()).toContain(log);
      expect(extension.output()).not.toContain(TEST_TOKEN);
      expect(listeningAddresses(port)).toEqual([]);
    },
  );
});
