import { afterEach, describe, expect, it } from 'vitest';
import { ExtensionsApiClient, splitHostPort } from '../../../../extension/src/lifecycle/extensions-api.js';
import {
  EXTENSION_IDENTIFIER,
  type FakeApiOptions,
  type FakeExtensionsApi,
  startFakeExtensionsApi,
} from '../../../helpers/fake-extensions-api.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: FakeApiOptions = {},
): Promise<{ api: FakeExtensionsApi; client: ExtensionsApiClient }> {
  const api = await startFakeExtensionsApi(options);
  const client = new ExtensionsApiClient(api.address);
  cleanups.push(
    () => api.close(),
    () => client.close(),
  );
  return { api, client };
}

describe('ExtensionsApiClient', () => {
  it('registers for SHUTDOWN only, under the given name, and keeps the identifier', async () => {
    const { api, client } = await setup();

    await client.register('parameters-secrets-extension');

    expect(api.registrations).toMatchObject([{ name: 'parameters-secrets-extension', events: ['SHUTDOWN'] }]);
    expect(client.extensionId).toBe(EXTENSION_IDENTIFIER);
  });

  it('waits on /event/next with the identifier, as long as it takes, and parses the event', async () => {
    const { api, client } = await setup();
    await client.register('x');

    const next = client.nextEvent();
    await api.waitForNext();
    // Answer late: a client with a short timeout would give up first.
    setTimeout(() => api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: 1 }), 300);

    expect(await next).toEqual({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: 1 });
  });

  it('fails /event/next clearly on a 4xx/5xx', async () => {
    const { api, client } = await setup();
    await client.register('x');
    api.failNext(500);
    await expect(client.nextEvent()).rejects.toThrow(/event\/next failed: HTTP 500.*Extension.Scripted/);
  });

  it('fails registration clearly on a 4xx/5xx', async () => {
    const { client } = await setup({ registerStatus: 403 });
    await expect(client.register('x')).rejects.toThrow(/register failed: HTTP 403.*Extension.Scripted/);
    expect(client.extensionId).toBeUndefined();
  });

  it('fails registration when nobody listens', async () => {
    const client = new ExtensionsApiClient('127.0.0.1:1');
    cleanups.push(() => client.close());
    await expect(client.register('x')).rejects.toThrow(/register/);
  });

  it.each([
    ['initError', '/2020-01-01/extension/init/error', 'Extension.ListenFailed'],
    ['exitError', '/2020-01-01/extension/exit/error', 'Extension.EventNextFailed'],
  ] as const)(
    '%s reports with the error type header and a Lambda-shaped body',
    async (method, path, type) => {
      const { api, client } = await setup();
      await client.register('x');

      const response = await client[method](type, 'what went wrong');

      expect(response.status).toBe(202);
      expect(api.errors).toEqual([
        {
          path,
          errorType: type,
          body: JSON.stringify({ errorMessage: 'what went wrong', errorType: type, stackTrace: [] }),
        },
      ]);
    },
  );
});

describe('splitHostPort', () => {
  it('reads IPv4, names and bracketed IPv6', () => {
    expect(splitHostPort('127.0.0.1:9001')).toEqual(['127.0.0.1', 9001]);
    expect(splitHostPort('localhost:9001')).toEqual(['localhost', 9001]);
    expect(splitHostPort('[::1]:9001')).toEqual(['::1', 9001]);
  });
});
