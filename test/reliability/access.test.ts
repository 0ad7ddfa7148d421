/**
 * Who can reach the extension and what it sends to AWS: requests with X-Forwarded-For are refused
 * (hit or miss, with or without a token, no backend call); no address of the machine other than
 * loopback reaches the socket; names longer than AWS allows are refused before any backend call.
 */

import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { get, getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';
import { rawRequest } from '../helpers/raw-http.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';
import { type LocalAddresses, nonLoopbackAddresses } from './helpers/local-address.js';
import { isLoopback, listeningAddresses } from './helpers/proc.js';

const CACHED = '/reliability/access/cached';
const UNCACHED = '/reliability/access/uncached';
const VALUE = 'access-value-0e7c';
const SECRET = 'reliability-access-secret';
const SECRET_VALUE = 'access-secret-value-5a90';
const PARAMETER_PATH = '/systemsmanager/parameters/get';

let proxy: FaultProxy;
let extension: ExtensionProcess;
let local: LocalAddresses | undefined;

beforeAll(async () => {
  await resetMoto();
  const ssm = motoSsm();
  for (const name of [CACHED, UNCACHED]) {
    await ssm.send(new PutParameterCommand({ Name: name, Value: VALUE, Type: 'String' }));
  }
  await motoSecretsManager().send(new CreateSecretCommand({ Name: SECRET, SecretString: SECRET_VALUE }));
  proxy = await startFaultProxy(MOTO_ENDPOINT);
  extension = await startExtension({
    port: await freePort(),
    env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: proxy.url, AWS_SESSION_TOKEN: TEST_TOKEN },
  });
  expect((await getWithToken(`${extension.baseUrl}${PARAMETER_PATH}?name=${CACHED}`)).status).toBe(200);
});

afterAll(async () => {
  await extension?.stop();
  await proxy?.close();
  local?.cleanup();
});

describe('X-Forwarded-For', () => {
  it.each([
    ['X-Forwarded-For: 203.0.113.9', 'a public client'],
    ['x-forwarded-for: 127.0.0.1', 'loopback, lower case'],
    ['X-FORWARDED-FOR: 10.0.0.1, 127.0.0.1', 'a chain, upper case'],
    ['X-Forwarded-For:', 'an empty value'],
  ])(
    'is refused with 400 ForwardedRequest (%s: %s), for hits, misses, secrets, batches, /metrics and /ping, with no backend call',
    async (line) => {
      const before = proxy.calls();
      for (const target of [
        `${PARAMETER_PATH}?name=${CACHED}`,
        `${PARAMETER_PATH}?name=${UNCACHED}`,
        `/secretsmanager/get?secretId=${SECRET}`,
        `/systemsmanager/parameters/getparameters?names=${CACHED},${UNCACHED}`,
        `/systemsmanager/parameters/getbypath?path=/`,
        `/secretsmanager/batchget?secretIds=${SECRET}`,
        '/metrics',
        '/ping',
      ]) {
        for (const tokenLines of [[`X-Aws-Parameters-Secrets-Token: ${TEST_TOKEN}`], []]) {
          const { responses, raw } = await rawRequest(extension.port, target, [...tokenLines, line]);
          expect(
            responses.map((r) => r.status),
            target,
          ).toEqual([400]);
          expect(JSON.parse(responses[0]?.body.toString() ?? '')).toMatchObject({
            __type: 'ForwardedRequest',
          });
          for (const secret of [VALUE, SECRET_VALUE, TEST_TOKEN]) expect(raw.includes(secret)).toBe(false);
        }
      }
      expect(proxy.calls()).toBe(before);
    },
  );
});

describe('loopback only', () => {
  it('listens on 127.0.0.1 and ::1 and nothing else (kernel socket table)', () => {
    const listening = listeningAddresses(extension.port);
    expect(listening.length).toBeGreaterThan(0);
    expect(listening.filter((address) => !isLoopback(address))).toEqual([]);
  });

  it("cannot be reached on the machine's other addresses, which a wildcard listener can be reached on", async () => {
    local = nonLoopbackAddresses();
    // Control: a server on every address is reachable on these, so a refusal below means something.
    const control: Server = createServer((_req, res) => res.end('control'));
    await new Promise<void>((resolve) => control.listen(0, '::', resolve));
    const controlAddress = control.address();
    const controlPort =
      typeof controlAddress === 'object' && controlAddress !== null ? controlAddress.port : 0;
    const attempt = (host: string, port: number) =>
      new Promise<string>((resolve) => {
        const socket = connect({ host, port, timeout: 3_000 });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('timeout', () => {
          socket.destroy();
          resolve('timeout');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
    try {
      for (const address of local.addresses) {
        expect(await attempt(address, controlPort), `control on ${address}`).toBe('connected');
        expect(await attempt(address, extension.port), `extension on ${address}`).toBe('ECONNREFUSED');
      }
      expect(await attempt('127.0.0.1', extension.port)).toBe('connected');
    } finally {
      await new Promise((resolve) => control.close(resolve));
    }
  });
});

describe('names longer than AWS allows', () => {
  const parameter = (query: string) => getWithToken(`${extension.baseUrl}${PARAMETER_PATH}?${query}`);
  const secret = (query: string) => getWithToken(`${extension.baseUrl}/secretsmanager/get?${query}`);
  const arnPrefix = 'arn:aws:ssm:us-east-1:123456789012:parameter/';

  it.each([
    ['parameter name of 2049 characters', () => parameter(`name=/${'p'.repeat(2048)}`)],
    [
      'parameter ARN of 2049 characters',
      () => parameter(`name=${arnPrefix}${'p'.repeat(2049 - arnPrefix.length)}`),
    ],
    ['name:version over 2048 in total', () => parameter(`name=/${'p'.repeat(2045)}&version=12`)],
    ['label of 101 characters', () => parameter(`name=/short&label=${'l'.repeat(101)}`)],
    ['version of 21 digits', () => parameter(`name=/short&version=${'9'.repeat(21)}`)],
    ['secretId of 2049 characters', () => secret(`secretId=${'s'.repeat(2049)}`)],
    ['versionId of 65 characters', () => secret(`secretId=${SECRET}&versionId=${'v'.repeat(65)}`)],
    ['versionStage of 257 characters', () => secret(`secretId=${SECRET}&versionStage=${'S'.repeat(257)}`)],
  ])('refuses a %s with 400 InvalidParameter before any backend call', async (_title, request) => {
    const before = proxy.calls();
    const answer = await request();
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ __type: 'InvalidParameter' });
    expect(proxy.calls()).toBe(before);
  });

  it.each([
    ['parameter name of exactly 2048 characters', () => parameter(`name=/${'p'.repeat(2047)}`)],
    [
      'parameter ARN of exactly 2048 characters',
      () => parameter(`name=${arnPrefix}${'p'.repeat(2048 - arnPrefix.length)}`),
    ],
    ['secretId of exactly 2048 characters', () => secret(`secretId=${'s'.repeat(2048)}`)],
  ])('passes a %s on to AWS (one backend call)', async (_title, request) => {
    const before = proxy.calls();
    const answer = await request();
    expect(answer.status).toBe(400); // AWS's own answer: not found / validation
    expect(answer.json<{ __type: string }>().__type).not.toBe('InvalidParameter');
    expect(proxy.calls()).toBe(before + 1);
  });

  it('still serves and never logged a value or the token', async () => {
    expect((await get(`${extension.baseUrl}/ping`)).status).toBe(200);
    for (const secret of [VALUE, SECRET_VALUE, TEST_TOKEN]) expect(extension.output()).not.toContain(secret);
  });
});
