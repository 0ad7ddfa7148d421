/**
 * Backend faults between the extension (real process) and moto, injected by a proxy on loopback:
 * connection dropped or refused, answers later than *_TIMEOUT_MILLIS or never, 5xx, throttling,
 * malformed JSON. Each must give the documented answer (400 + {"__type","message"}) within the
 * configured timeout, leak nothing, and leave every other key served.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { type Answer, getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';
import { awsError, type Fault, type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';

const TIMEOUT_MS = 1_500;
/** Scheduling slack on a busy 2-core machine; the budget itself is TIMEOUT_MS. */
const SLACK_MS = 1_000;
const HEALTHY = '/reliability/faults/healthy';
const HEALTHY_VALUE = 'healthy-value-90ab';
const SECRET = 'reliability-faults-secret';
const SECRET_VALUE = 'secret-value-must-not-leak-41fe';

interface Case {
  readonly title: string;
  readonly fault: Fault;
  /** The `__type` of the answer. */
  readonly type: string;
}

const CASES: readonly Case[] = [
  { title: 'the connection is dropped', fault: { kind: 'reset' }, type: 'ConnectionError' },
  {
    title: 'SSM answers 500',
    fault: awsError(500, 'InternalServerError', 'scripted outage'),
    type: 'InternalServerError',
  },
  {
    title: 'SSM answers 503 with an HTML page',
    fault: {
      kind: 'answer',
      status: 503,
      body: '<html>Service Unavailable</html>',
      contentType: 'text/html',
    },
    type: 'InvalidResponse',
  },
  {
    // The SDK backs off up to ~1 s then ~2 s between throttled attempts, so the budget may run out while
    // it waits: the answer must still say ThrottlingException, not a bare timeout.
    title: 'SSM throttles',
    fault: awsError(400, 'ThrottlingException', 'Rate exceeded'),
    type: 'ThrottlingException',
  },
  {
    title: 'SSM answers 200 with malformed JSON',
    fault: { kind: 'answer', status: 200, body: '{"Parameter":{"Name":"x","Value":"trunc' },
    type: 'InvalidResponse',
  },
  { title: 'SSM answers after the timeout', fault: { kind: 'delay', ms: 5_000 }, type: 'TimeoutError' },
  { title: 'SSM never answers', fault: { kind: 'silent' }, type: 'TimeoutError' },
];

let proxy: FaultProxy;
let extension: ExtensionProcess;

function parameterUrl(name: string): string {
  return `${extension.baseUrl}/systemsmanager/parameters/get?name=${encodeURIComponent(name)}`;
}

async function timed(url: string): Promise<Answer & { elapsedMs: number }> {
  const started = Date.now();
  const answer = await getWithToken(url);
  return Object.assign(answer, { elapsedMs: Date.now() - started });
}

function expectCleanError(answer: Answer, type: string): void {
  expect(answer.status).toBe(400);
  expect(answer.contentType).toMatch(/^application\/json\b/);
  const body = answer.json<{ __type: string; message: string }>();
  expect(body.__type).toBe(type);
  expect(body.message.length).toBeGreaterThan(0);
  for (const secret of [TEST_TOKEN, SECRET_VALUE, HEALTHY_VALUE]) expect(answer.text).not.toContain(secret);
}

beforeAll(async () => {
  await resetMoto();
  const ssm = motoSsm();
  await ssm.send(new PutParameterCommand({ Name: HEALTHY, Value: HEALTHY_VALUE, Type: 'String' }));
  for (const [index] of CASES.entries()) {
    await ssm.send(
      new PutParameterCommand({ Name: `/reliability/faults/${index}`, Value: HEALTHY_VALUE, Type: 'String' }),
    );
  }
  await motoSecretsManager().send(new CreateSecretCommand({ Name: SECRET, SecretString: SECRET_VALUE }));
  proxy = await startFaultProxy(MOTO_ENDPOINT);
  extension = await startExtension({
    port: await freePort(),
    env: {
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL_SSM: proxy.url,
      // Nothing listens here: Secrets Manager is down for the whole file.
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${await freePort()}`,
      AWS_SESSION_TOKEN: TEST_TOKEN,
      SSM_PARAMETER_STORE_TIMEOUT_MILLIS: String(TIMEOUT_MS),
      SECRETS_MANAGER_TIMEOUT_MILLIS: String(TIMEOUT_MS),
    },
  });
});

afterAll(async () => {
  await extension?.stop();
  await proxy?.close();
});

describe('backend faults', () => {
  it.each(CASES.map((c, index) => ({ ...c, index })))(
    'when $title: 400 $type within the timeout, other keys still served',
    async ({ fault, type, index }) => {
      const name = `/reliability/faults/${index}`;
      proxy.setFault(name, fault);
      const [failed, healthy] = await Promise.all([
        timed(parameterUrl(name)),
        // Asked while the failing call is still open.
        new Promise((r) => setTimeout(r, 100)).then(() => timed(parameterUrl(HEALTHY))),
      ]);
      expectCleanError(failed, type);
      expect(failed.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      if (failed.json().__type === 'TimeoutError')
        expect(failed.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(healthy.status).toBe(200);
      expect(healthy.json()).toMatchObject({ Parameter: { Value: HEALTHY_VALUE } });
      expect(healthy.elapsedMs).toBeLessThan(TIMEOUT_MS);

      // The error was not cached: once the backend is back, the same key is served.
      proxy.setFault(name, undefined);
      const recovered = await getWithToken(parameterUrl(name));
      expect(recovered.status).toBe(200);
    },
  );

  it('when the Secrets Manager endpoint refuses connections: 400 ConnectionError, parameters unaffected', async () => {
    const failed = await timed(`${extension.baseUrl}/secretsmanager/get?secretId=${SECRET}`);
    expectCleanError(failed, 'ConnectionError');
    expect(failed.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect((await getWithToken(parameterUrl(HEALTHY))).status).toBe(200);
  });

  it('a batch whose one call of two throttles: 200 with what was read, the throttled names in Errors', async () => {
    const throttled = '/reliability/faults/batch-throttled';
    // 11 names: the second call of GetParameters (10 names each) is for `throttled` alone.
    const names = [...Array.from({ length: 10 }, () => HEALTHY).map((n, i) => `${n}-${i}`), throttled];
    await Promise.all(
      names.map((name) =>
        motoSsm().send(
          new PutParameterCommand({ Name: name, Value: HEALTHY_VALUE, Type: 'String', Overwrite: true }),
        ),
      ),
    );
    proxy.setFault(throttled, awsError(400, 'ThrottlingException', 'Rate exceeded'));
    const batchUrl = `${extension.baseUrl}/systemsmanager/parameters/getparameters?names=${names.join(',')}`;

    const partial = await timed(batchUrl);
    expect(partial.status).toBe(200);
    const body = partial.json<{
      Parameters: unknown[];
      Errors: Array<{ ErrorCode: string; Name: string }>;
    }>();
    expect(body.Parameters).toHaveLength(10);
    expect(body.Errors).toEqual([
      expect.objectContaining({ ErrorCode: 'ThrottlingException', Name: throttled }),
    ]);
    expect(partial.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);

    // Nothing read at all: the first failure answers, as for a single read.
    const alone = await timed(
      `${extension.baseUrl}/systemsmanager/parameters/getparameters?names=${throttled}`,
    );
    expectCleanError(alone, 'ThrottlingException');

    proxy.setFault(throttled, undefined);
    expect((await getWithToken(batchUrl)).json<{ Errors: unknown[] }>().Errors).toEqual([]);
  });

  it('a secrets batch while Secrets Manager refuses connections: 400 ConnectionError', async () => {
    expectCleanError(
      await timed(`${extension.baseUrl}/secretsmanager/batchget?secretIds=${SECRET},other`),
      'ConnectionError',
    );
  });

  it('logs no value and no token for any of these failures', () => {
    const output = extension.output();
    expect(output).toContain('ERROR');
    for (const secret of [TEST_TOKEN, SECRET_VALUE, HEALTHY_VALUE]) expect(output).not.toContain(secret);
    expect(extension.child.exitCode).toBeNull();
  });
});
