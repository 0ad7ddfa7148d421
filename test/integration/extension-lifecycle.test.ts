/**
 * The lifecycle against a scripted Extensions API: listen before registering, serve during INIT and
 * INVOKE, exit 0 on SHUTDOWN well inside Lambda's 2 s; failures reported the way Lambda expects.
 */

import { createServer, type Server } from 'node:http';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { type FakeExtensionsApi, startFakeExtensionsApi } from '../helpers/fake-extensions-api.js';
import { accepts, freePort } from '../helpers/free-port.js';
import { getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';
import { withTimeout } from '../helpers/wait.js';

const VALUE = 'lifecycle-value-51';
const cleanups: Array<() => Promise<unknown>> = [];

let proxy: CountingProxy;

beforeAll(async () => {
  await resetMoto();
  proxy = await startCountingProxy(MOTO_ENDPOINT);
});

beforeEach(async () => {
  // Idempotent: moto is shared, and a reset elsewhere must not break us.
  await motoSsm().send(
    new PutParameterCommand({ Name: '/life/p', Value: VALUE, Type: 'String', Overwrite: true }),
  );
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await proxy?.close();
});

function lambdaEnv(api: FakeExtensionsApi): Record<string, string> {
  return {
    ...AWS_TEST_ENV,
    AWS_ENDPOINT_URL: proxy.url,
    AWS_SESSION_TOKEN: TEST_TOKEN,
    AWS_LAMBDA_RUNTIME_API: api.address,
  };
}

/** Exactly one error report reached the API: at /init/error or /exit/error, with this type and text. */
function expectOneReport(
  api: FakeExtensionsApi,
  phase: 'init' | 'exit',
  errorType: string,
  text: string,
): void {
  expect(api.errors).toHaveLength(1);
  expect(api.errors[0]).toMatchObject({ path: `/2020-01-01/extension/${phase}/error`, errorType });
  expect(JSON.parse(api.errors[0]?.body ?? '{}').errorMessage).toContain(text);
}

describe('under the Extensions API', () => {
  it('drives INIT → INVOKE → SHUTDOWN: listens before registering, serves in INIT and INVOKE, exits 0', async () => {
    const port = await freePort();
    let acceptedDuringRegister = false;
    let earlyPing: Promise<number> | undefined;
    const api = await startFakeExtensionsApi({
      onRegister: async () => {
        acceptedDuringRegister = await accepts(port);
        // Sent before the pipeline is installed: must be held and answered, not refused.
        earlyPing = fetch(`http://127.0.0.1:${port}/ping`).then((response) => response.status);
      },
    });
    cleanups.push(() => api.close());
    const extension = await startExtension({ port, env: lambdaEnv(api), waitReady: false });
    cleanups.push(() => extension.stop());

    // INIT: registration arrives, then the runtime's init code reads a parameter before /next.
    await withTimeout(api.waitForNext(1), 10_000, 'init');
    expect(api.registrations).toHaveLength(1);
    expect(api.registrations[0]).toMatchObject({
      name: 'parameters-secrets-extension',
      events: ['SHUTDOWN'],
    });
    expect(acceptedDuringRegister).toBe(true);
    expect(await earlyPing).toBe(200);
    const before = proxy.count('GetParameter');
    const initRead = await getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get?name=/life/p`);
    expect(initRead.status).toBe(200);

    // INVOKE: the handler reads again; a cache hit. We never subscribed to INVOKE, so /next still waits.
    const invokeRead = await getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get?name=/life/p`);
    expect(invokeRead.text).toBe(initRead.text);
    expect(proxy.count('GetParameter') - before).toBe(1);
    expect(api.nextCalls()).toBe(1);

    // SHUTDOWN: exit 0 well inside the 2 s budget, and stop listening.
    const shutdownAt = Date.now();
    api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: Date.now() + 2_000 });
    const code = await withTimeout(extension.exited, 2_000, 'exit after SHUTDOWN');
    expect(code).toBe(0);
    expect(Date.now() - shutdownAt).toBeLessThan(1_500);
    expect(await accepts(port)).toBe(false);
    expect(api.errors).toEqual([]);
    expect(extension.output()).not.toContain(VALUE);
    expect(extension.output()).not.toContain(TEST_TOKEN);
  });

  it('exits non-zero, without hanging, when registration is refused', async () => {
    const api = await startFakeExtensionsApi({ registerStatus: 500 });
    cleanups.push(() => api.close());
    const extension = await startExtension({ port: await freePort(), env: lambdaEnv(api), waitReady: false });
    cleanups.push(() => extension.stop());

    const code = await withTimeout(extension.exited, 5_000, 'exit after refused registration');

    expect(code).toBe(1);
    expect(extension.output()).toContain(
      'Registration with the Extensions API failed: register failed: HTTP 500',
    );
  });

  it('reports a failing /event/next after init to /exit/error and exits 1', async () => {
    const api = await startFakeExtensionsApi();
    cleanups.push(() => api.close());
    const extension = await startExtension({ port: await freePort(), env: lambdaEnv(api) });
    cleanups.push(() => extension.stop());
    await withTimeout(api.waitForNext(1), 10_000, 'init');

    api.failNext(500);
    const code = await withTimeout(extension.exited, 5_000, 'exit after a failed /event/next');

    expect(code).toBe(1);
    expectOneReport(api, 'exit', 'Extension.EventNextFailed', 'event/next failed: HTTP 500');
    expect(extension.output()).toContain(
      'ERROR Extensions API event/next failed: event/next failed: HTTP 500',
    );
  });

  it('reports a port already in use to /init/error and exits 1', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => squatter.close(resolve)));
    const api = await startFakeExtensionsApi();
    cleanups.push(() => api.close());
    const extension = await startExtension({ port, env: lambdaEnv(api), waitReady: false });
    cleanups.push(() => extension.stop());

    const code = await withTimeout(extension.exited, 5_000, 'exit after listen failure');

    expect(code).toBe(1);
    expectOneReport(api, 'init', 'Extension.ListenFailed', 'EADDRINUSE');
  });
});

describe('standalone (no AWS_LAMBDA_RUNTIME_API)', () => {
  it('serves until SIGTERM, lets an in-flight miss finish, and exits 0 quickly', async () => {
    const extension: ExtensionProcess = await startExtension({
      port: await freePort(),
      env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: proxy.url, AWS_SESSION_TOKEN: TEST_TOKEN },
    });
    cleanups.push(() => extension.stop());
    proxy.setDelay(400);
    cleanups.push(async () => proxy.setDelay(0));

    const inFlight = getWithToken(
      `${extension.baseUrl}/systemsmanager/parameters/get?name=/life/p&refreshNow=true`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stoppedAt = Date.now();
    extension.child.kill('SIGTERM');

    const answer = await inFlight.then(
      (result) => result.status,
      () => 'connection closed',
    );
    const code = await withTimeout(extension.exited, 2_000, 'exit after SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
    expect([200, 'connection closed']).toContain(answer);
  });

  it('exits 0 on SIGINT', async () => {
    const extension = await startExtension({
      port: await freePort(),
      env: { AWS_SESSION_TOKEN: TEST_TOKEN },
    });
    cleanups.push(() => extension.stop());
    extension.child.kill('SIGINT');
    expect(await withTimeout(extension.exited, 2_000, 'exit after SIGINT')).toBe(0);
  });
});
