/**
 * Cache behaviour under backend faults (real process, fault proxy in front of moto): stale-on-error
 * serves an expired value only for transient failures and only until the next successful refresh;
 * without it the error is returned; concurrent misses for one key during an outage make one backend
 * call at a time, so the SDK's retries are not multiplied by the number of callers.
 */
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';
import { awsError, type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';

const TIMEOUT_MS = 1_500;
const TTL_S = 1;
/** A little over the TTL, so an entry read now has expired by the wall clock. */
const EXPIRE_MS = TTL_S * 1_000 + 150;
const CONCURRENT_CALLERS = 16;
/** The SDK's default attempts per call (1 + 2 retries): one flight makes at most this many calls. */
const SDK_MAX_ATTEMPTS = 3;

let proxy: FaultProxy;
const started: ExtensionProcess[] = [];

async function extensionWith(env: Record<string, string>): Promise<ExtensionProcess> {
  const extension = await startExtension({
    port: await freePort(),
    env: {
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL: proxy.url,
      AWS_SESSION_TOKEN: TEST_TOKEN,
      SSM_PARAMETER_STORE_TTL: String(TTL_S),
      SSM_PARAMETER_STORE_TIMEOUT_MILLIS: String(TIMEOUT_MS),
      ...env,
    },
  });
  started.push(extension);
  return extension;
}

async function put(name: string, value: string): Promise<void> {
  await motoSsm().send(
    new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }),
  );
}

function reader(extension: ExtensionProcess) {
  return async (name: string, extra = '') => {
    const answer = await getWithToken(
      `${extension.baseUrl}/systemsmanager/parameters/get?name=${encodeURIComponent(name)}${extra}`,
    );
    const body = answer.json<{ Parameter?: { Value?: string }; __type?: string }>();
    return { status: answer.status, value: body.Parameter?.Value, type: body.__type };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await resetMoto();
  proxy = await startFaultProxy(MOTO_ENDPOINT);
});

afterAll(async () => {
  await Promise.all(started.map((extension) => extension.stop()));
  await proxy?.close();
});

describe('stale-on-error enabled', () => {
  it('serves the expired value on transient failures, returns permanent ones, and replaces it on the next success', async () => {
    const name = '/reliability/stale/on';
    await put(name, 'value-one');
    const extension = await extensionWith({ PARAMETERS_SECRETS_EXTENSION_STALE_ON_ERROR: 'true' });
    const read = reader(extension);

    expect(await read(name)).toMatchObject({ status: 200, value: 'value-one' });
    await sleep(EXPIRE_MS);

    for (const fault of [
      awsError(500, 'InternalServerError', 'scripted outage'),
      awsError(400, 'ThrottlingException', 'Rate exceeded'),
      { kind: 'reset' } as const,
      { kind: 'silent' } as const,
    ]) {
      proxy.setFault(name, fault);
      const before = proxy.calls(name);
      expect(await read(name), fault.kind).toMatchObject({ status: 200, value: 'value-one' });
      expect(proxy.calls(name), 'a refresh was attempted').toBeGreaterThan(before);
    }
    expect(extension.output()).toContain('serving the expired value');

    // Not transient: the caller must learn about it.
    proxy.setFault(name, awsError(400, 'AccessDeniedException', 'not allowed'));
    expect(await read(name)).toMatchObject({ status: 400, type: 'AccessDeniedException' });
    // refreshNow asks for the backend's answer, and gets its error.
    proxy.setFault(name, awsError(500, 'InternalServerError', 'scripted outage'));
    expect(await read(name, '&refreshNow=true')).toMatchObject({ status: 400, type: 'InternalServerError' });

    // The backend recovers with a new value: it replaces the stale one and is cached again.
    proxy.setFault(name, undefined);
    await put(name, 'value-two');
    expect(await read(name)).toMatchObject({ status: 200, value: 'value-two' });
    const afterRefresh = proxy.calls(name);
    expect(await read(name)).toMatchObject({ status: 200, value: 'value-two' });
    expect(proxy.calls(name), 'served from the cache').toBe(afterRefresh);

    // The next outage serves the new value, not the old one.
    await sleep(EXPIRE_MS);
    proxy.setFault(name, awsError(503, 'ServiceUnavailable', 'scripted outage'));
    expect(await read(name)).toMatchObject({ status: 200, value: 'value-two' });
    proxy.setFault(name, undefined);
  });
});

describe('stale-on-error disabled (default)', () => {
  it('returns the error once the entry expired, and serves again after recovery', async () => {
    const name = '/reliability/stale/off';
    await put(name, 'value-off');
    const extension = await extensionWith({});
    const read = reader(extension);

    expect(await read(name)).toMatchObject({ status: 200, value: 'value-off' });
    await sleep(EXPIRE_MS);
    proxy.setFault(name, awsError(500, 'InternalServerError', 'scripted outage'));
    expect(await read(name)).toMatchObject({ status: 400, type: 'InternalServerError' });
    proxy.setFault(name, { kind: 'reset' });
    expect(await read(name)).toMatchObject({ status: 400, type: 'ConnectionError' });
    proxy.setFault(name, undefined);
    expect(await read(name)).toMatchObject({ status: 200, value: 'value-off' });
  });
});

describe('concurrent misses during an outage', () => {
  let extension: ExtensionProcess;
  beforeAll(async () => {
    extension = await extensionWith({});
  });

  it.each([
    {
      outage: '500 after 400 ms',
      fault: awsError(500, 'InternalServerError', 'outage', 400),
      type: 'InternalServerError',
    },
    { outage: 'no answer', fault: { kind: 'silent' } as const, type: 'TimeoutError' },
    { outage: 'dropped connections', fault: { kind: 'reset' } as const, type: 'ConnectionError' },
  ])(
    `${CONCURRENT_CALLERS} callers of one key ($outage) make one backend call at a time`,
    async ({ fault, type }) => {
      const name = `/reliability/single-flight/${type}`;
      await put(name, 'never-served');
      const read = reader(extension);
      proxy.setFault(name, fault);

      const answers = await Promise.all(Array.from({ length: CONCURRENT_CALLERS }, () => read(name)));

      for (const answer of answers) expect(answer).toMatchObject({ status: 400, type });
      expect(proxy.maxConcurrent(name)).toBe(1);
      expect(proxy.calls(name)).toBeGreaterThanOrEqual(1);
      // All callers arrived while the first flight was open, so they shared its (at most 3) attempts.
      expect(proxy.calls(name)).toBeLessThanOrEqual(SDK_MAX_ATTEMPTS);
      proxy.setFault(name, undefined);
    },
  );
});
