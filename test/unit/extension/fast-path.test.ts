import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import type { Backends } from '../../../extension/src/backends/types.js';
import { ValueCache } from '../../../extension/src/cache/value-cache.js';
import { createLogger } from '../../../extension/src/logger.js';
import { BackendError } from '../../../extension/src/request/errors.js';
import { parameterKey } from '../../../extension/src/request/lookup.js';
import { createFastPath } from '../../../extension/src/server/fast-path.js';

const TOKEN = 'tok';

function setup() {
  const cache = new ValueCache({ enabled: true, size: 10, staleOnError: false });
  cache.put(parameterKey('/a', false), 60_000, '{"cached":true}');
  const fallback = vi.fn();
  const getParameter = vi.fn(async ({ name }: { name: string }) => {
    if (name === '/missing')
      throw new BackendError('ParameterNotFound', 'Parameter /missing not found.', false);
    return `{"from":"backend","name":${JSON.stringify(name)}}`;
  });
  const getSecretValue = vi.fn(async () => '{"secret":"from backend"}');
  const backends = vi.fn(
    async (): Promise<Backends> => ({ getParameter, getSecretValue, getParameters: async () => [] }),
  );
  const logLines: string[] = [];
  const handler = createFastPath(
    {
      cache,
      tokens: [TOKEN],
      ttlMs: { ssm: 60_000, secretsmanager: 60_000 },
      backends,
      logger: createLogger('INFO', (line) => logLines.push(line)),
    },
    fallback,
  );
  const call = (
    url: string,
    headers: Record<string, string> = { 'x-aws-parameters-secrets-token': TOKEN },
    method = 'GET',
  ) => {
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const res = { destroyed: false, writeHead: vi.fn(), end: vi.fn((_body?: unknown) => done()), finished };
    handler({ method, url, headers } as unknown as IncomingMessage, res as unknown as ServerResponse);
    return res;
  };
  return { call, fallback, backends, getParameter, getSecretValue, logLines };
}

describe('createFastPath', () => {
  it('answers a fresh hit from the prepared buffer without the app or the backends', () => {
    const { call, fallback, backends } = setup();
    const res = call('/systemsmanager/parameters/get?name=%2Fa');
    expect(fallback).not.toHaveBeenCalled();
    expect(backends).not.toHaveBeenCalled();
    expect(res.writeHead).toHaveBeenCalledWith(200, ['Content-Type', 'text/plain', 'Content-Length', '15']);
    expect(String(res.end.mock.calls[0]?.[0])).toBe('{"cached":true}');
  });

  it('answers GET /ping without a token and without the app', () => {
    const { call, fallback } = setup();
    const res = call('/ping', {});
    expect(fallback).not.toHaveBeenCalled();
    expect(res.writeHead).toHaveBeenCalledWith(200, ['Content-Type', 'text/plain', 'Content-Length', '7']);
    expect(String(res.end.mock.calls[0]?.[0])).toBe('healthy');
  });

  it('reads a miss through the backends, caches it, and serves the next request from the cache', async () => {
    const { call, fallback, getParameter } = setup();
    const first = call('/systemsmanager/parameters/get?name=/b');
    await first.finished;
    const body = '{"from":"backend","name":"/b"}';
    expect(first.writeHead).toHaveBeenCalledWith(200, [
      'Content-Type',
      'text/plain',
      'Content-Length',
      String(body.length),
    ]);
    expect(String(first.end.mock.calls[0]?.[0])).toBe(body);
    const second = call('/systemsmanager/parameters/get?name=/b');
    expect(String(second.end.mock.calls[0]?.[0])).toBe(body);
    expect(getParameter).toHaveBeenCalledTimes(1);
    expect(fallback).not.toHaveBeenCalled();
  });

  it('keeps decrypted and plain reads apart, and bypasses the cache for refreshNow', async () => {
    const { call, getParameter } = setup();
    await call('/systemsmanager/parameters/get?name=/a&withDecryption=true').finished;
    expect(getParameter).toHaveBeenLastCalledWith({ name: '/a', withDecryption: true });
    await call('/systemsmanager/parameters/get?name=/a&refreshNow=true').finished;
    expect(getParameter).toHaveBeenLastCalledWith({ name: '/a', withDecryption: false });
    expect(getParameter).toHaveBeenCalledTimes(2);
  });

  it('reads secrets through the backends', async () => {
    const { call, getSecretValue } = setup();
    const res = call('/secretsmanager/get?secretId=s&versionStage=AWSPREVIOUS');
    await res.finished;
    expect(getSecretValue).toHaveBeenCalledWith(
      expect.objectContaining({ secretId: 's', versionStage: 'AWSPREVIOUS', versionId: undefined }),
    );
    expect(String(res.end.mock.calls[0]?.[0])).toBe('{"secret":"from backend"}');
  });

  it("answers a backend failure as the app does: 400, AWS's code and message, logged without values", async () => {
    const { call, logLines } = setup();
    const res = call('/systemsmanager/parameters/get?name=/missing');
    await res.finished;
    const body = '{"__type":"ParameterNotFound","message":"Parameter /missing not found."}';
    expect(res.writeHead).toHaveBeenCalledWith(400, [
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(body.length),
    ]);
    expect(String(res.end.mock.calls[0]?.[0])).toBe(body);
    expect(logLines.join('')).toContain(
      'ERROR /systemsmanager/parameters/get request encountered an error: ParameterNotFound',
    );
  });

  it('checks the token and the method on every request, also for a URL it has parsed before', () => {
    const { call, fallback } = setup();
    const url = '/systemsmanager/parameters/get?name=%2Fa';
    expect(String(call(url).end.mock.calls[0]?.[0])).toBe('{"cached":true}');
    expect(call(url, { 'x-aws-parameters-secrets-token': 'no' }).writeHead).not.toHaveBeenCalled();
    expect(call(url, undefined, 'POST').writeHead).not.toHaveBeenCalled();
    expect(
      call('/systemsmanager/parameters/get?name=/a&withDecryption=maybe').writeHead,
    ).not.toHaveBeenCalled();
    expect(
      call('/systemsmanager/parameters/get?name=/a&withDecryption=maybe').writeHead,
    ).not.toHaveBeenCalled();
    expect(fallback).toHaveBeenCalledTimes(4);
  });

  it('keeps answering correctly after more distinct URLs than it remembers parses of', () => {
    const { call, fallback } = setup();
    for (let i = 0; i < 3_000; i++) call(`/nowhere?i=${i}`);
    expect(fallback).toHaveBeenCalledTimes(3_000);
    expect(String(call('/systemsmanager/parameters/get?name=%2Fa').end.mock.calls[0]?.[0])).toBe(
      '{"cached":true}',
    );
  });

  it.each([
    [
      'a wrong token',
      '/systemsmanager/parameters/get?name=/a',
      { 'x-aws-parameters-secrets-token': 'no' },
      'GET',
    ],
    ['no token', '/systemsmanager/parameters/get?name=/a', {}, 'GET'],
    [
      'X-Forwarded-For',
      '/systemsmanager/parameters/get?name=/a',
      { 'x-aws-parameters-secrets-token': TOKEN, 'x-forwarded-for': '1.2.3.4' },
      'GET',
    ],
    ['X-Forwarded-For on /ping', '/ping', { 'x-forwarded-for': '1.2.3.4' }, 'GET'],
    ['another method', '/systemsmanager/parameters/get?name=/a', undefined, 'POST'],
    ['HEAD', '/systemsmanager/parameters/get?name=/a', undefined, 'HEAD'],
    ['a bad flag', '/systemsmanager/parameters/get?name=/a&withDecryption=maybe', undefined, 'GET'],
    ['a missing name', '/systemsmanager/parameters/get', undefined, 'GET'],
    ['an unknown path', '/nowhere', undefined, 'GET'],
  ])('hands %s to the app', (_label, url, headers, method) => {
    const { call, fallback, backends } = setup();
    const res = call(url, headers, method);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(backends).not.toHaveBeenCalled();
    expect(res.writeHead).not.toHaveBeenCalled();
  });
});
