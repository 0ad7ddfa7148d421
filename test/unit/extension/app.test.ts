import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../extension/src/app/build-app.js';
import type { Backends } from '../../../extension/src/backends/types.js';
import { ValueCache } from '../../../extension/src/cache/value-cache.js';
import { createLogger } from '../../../extension/src/logger.js';
import { BackendError } from '../../../extension/src/request/errors.js';

const TOKEN = 'unit-token-1234';
const auth = { 'x-aws-parameters-secrets-token': TOKEN };

function fakeBackends(): Backends & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getParameter: vi.fn(async ({ name, withDecryption }) => {
      calls.push(`GetParameter ${name} ${withDecryption}`);
      if (name.startsWith('/missing'))
        throw new BackendError('ParameterNotFound', 'Parameter not found.', false);
      return JSON.stringify({ Parameter: { Name: name, Value: withDecryption ? 'plain' : 'cipher' } });
    }),
    getParameters: vi.fn(async () => []),
    getSecretValue: vi.fn(async ({ secretId, versionStage }) => {
      calls.push(`GetSecretValue ${secretId} ${versionStage}`);
      return JSON.stringify({ Name: secretId, SecretString: 'the-secret' });
    }),
  };
}

let app: FastifyInstance;
let backends: ReturnType<typeof fakeBackends>;
let loads: number;
let logLines: string[];

beforeEach(async () => {
  backends = fakeBackends();
  loads = 0;
  logLines = [];
  app = await buildApp({
    cache: new ValueCache({ enabled: true, size: 100, staleOnError: false }),
    tokens: [TOKEN],
    ttlMs: { ssm: 60_000, secretsmanager: 60_000 },
    backends: async () => {
      loads++;
      return backends;
    },
    logger: createLogger('DEBUG', (line) => logLines.push(line)),
  });
});
afterEach(async () => {
  await app.close();
});

describe('routes', () => {
  it('answers /ping without a token and without loading the SDK', async () => {
    const response = await app.inject({ url: '/ping' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('healthy');
    expect(loads).toBe(0);
  });

  it('serves a parameter as text/plain and caches it', async () => {
    const first = await app.inject({ url: '/systemsmanager/parameters/get?name=/a', headers: auth });
    const second = await app.inject({ url: '/systemsmanager/parameters/get/?name=%2Fa', headers: auth });

    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/plain');
    expect(second.body).toBe(first.body);
    expect(backends.calls).toEqual(['GetParameter /a false']);
  });

  it('serves a secret, with its selectors, on /secretsmanager/get and //secretsmanager/get', async () => {
    const response = await app.inject({
      url: '//secretsmanager/get?secretId=s&versionStage=AWSPREVIOUS',
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ Name: 's', SecretString: 'the-secret' });
    expect(backends.calls).toEqual(['GetSecretValue s AWSPREVIOUS']);
  });

  it('answers 401 with the AWS text for a missing or wrong token, before any backend call', async () => {
    const missing = await app.inject({ url: '/secretsmanager/get?secretId=s' });
    const wrong = await app.inject({
      url: '/secretsmanager/get?secretId=s',
      headers: { 'X-AWS-Parameters-Secrets-Token': 'x' },
    });

    expect(missing.statusCode).toBe(401);
    expect(missing.body).toBe('bad session token or header key');
    expect(wrong.statusCode).toBe(401);
    expect(loads).toBe(0);
  });

  it('refuses X-Forwarded-For with 400, even with a valid token', async () => {
    const response = await app.inject({
      url: '/secretsmanager/get?secretId=s',
      headers: { ...auth, 'x-forwarded-for': '10.0.0.1' },
    });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).__type).toBe('ForwardedRequest');
    expect(backends.calls).toEqual([]);
  });

  it('answers a backend failure with 400 and the AWS error code and message', async () => {
    const response = await app.inject({
      url: '/systemsmanager/parameters/get?name=/missing/p',
      headers: auth,
    });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      __type: 'ParameterNotFound',
      message: 'Parameter not found.',
    });
    expect(logLines.join('')).toContain('ParameterNotFound');
  });

  it('answers 400 for a missing name or an over-long name without a backend call', async () => {
    const missing = await app.inject({ url: '/systemsmanager/parameters/get', headers: auth });
    const long = await app.inject({
      url: `/secretsmanager/get?secretId=${'x'.repeat(2049)}`,
      headers: auth,
    });
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).__type).toBe('MissingParameter');
    expect(long.statusCode).toBe(400);
    expect(JSON.parse(long.body).__type).toBe('InvalidParameter');
    expect(loads).toBe(0);
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const unknown = await app.inject({ url: '/v1/secret', headers: auth });
    const post = await app.inject({ method: 'POST', url: '/secretsmanager/get?secretId=s', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body).__type).toBe('NotFound');
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('keeps decrypted and encrypted reads apart', async () => {
    const cipher = await app.inject({ url: '/systemsmanager/parameters/get?name=/s', headers: auth });
    const plain = await app.inject({
      url: '/systemsmanager/parameters/get?name=/s&withDecryption=true',
      headers: auth,
    });
    const cipherAgain = await app.inject({ url: '/systemsmanager/parameters/get?name=/s', headers: auth });
    expect(JSON.parse(cipher.body).Parameter.Value).toBe('cipher');
    expect(JSON.parse(plain.body).Parameter.Value).toBe('plain');
    expect(JSON.parse(cipherAgain.body).Parameter.Value).toBe('cipher');
  });

  it('bypasses the cache for refreshNow=true', async () => {
    await app.inject({ url: '/secretsmanager/get?secretId=s', headers: auth });
    await app.inject({ url: '/secretsmanager/get?secretId=s&refreshNow=true', headers: auth });
    expect(backends.calls).toHaveLength(2);
  });

  it('turns an unexpected failure into a bare 500 without details', async () => {
    backends.getSecretValue = vi.fn(async () => {
      throw new TypeError('internal detail: token=abc');
    });
    const response = await app.inject({ url: '/secretsmanager/get?secretId=boom', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ __type: 'InternalFailure', message: 'internal failure' });
    expect(logLines.join('')).not.toContain('token=abc');
  });
});
