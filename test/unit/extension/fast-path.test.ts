import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { ValueCache } from '../../../extension/src/cache/value-cache.js';
import { parameterKey } from '../../../extension/src/request/lookup.js';
import { createFastPath } from '../../../extension/src/server/fast-path.js';

const TOKEN = 'tok';

function setup() {
  const cache = new ValueCache({ enabled: true, size: 10, staleOnError: false });
  cache.put(parameterKey('/a', false), 60_000, '{"cached":true}');
  const fallback = vi.fn();
  const handler = createFastPath(
    { cache, tokens: [TOKEN], ttlMs: { ssm: 60_000, secretsmanager: 60_000 } },
    fallback,
  );
  const call = (
    url: string,
    headers: Record<string, string> = { 'x-aws-parameters-secrets-token': TOKEN },
    method = 'GET',
  ) => {
    const res = { writeHead: vi.fn(), end: vi.fn() };
    handler({ method, url, headers } as unknown as IncomingMessage, res as unknown as ServerResponse);
    return res;
  };
  return { call, fallback };
}

describe('createFastPath', () => {
  it('answers a fresh hit from the prepared buffer without the app', () => {
    const { call, fallback } = setup();
    const res = call('/systemsmanager/parameters/get?name=%2Fa');
    expect(fallback).not.toHaveBeenCalled();
    expect(res.writeHead).toHaveBeenCalledWith(200, ['Content-Type', 'text/plain', 'Content-Length', '15']);
    expect(String(res.end.mock.calls[0]?.[0])).toBe('{"cached":true}');
  });

  it.each([
    ['a miss', '/systemsmanager/parameters/get?name=/b', undefined, 'GET'],
    [
      'a wrong token',
      '/systemsmanager/parameters/get?name=/a',
      { 'x-aws-parameters-secrets-token': 'no' },
      'GET',
    ],
    [
      'X-Forwarded-For',
      '/systemsmanager/parameters/get?name=/a',
      { 'x-aws-parameters-secrets-token': TOKEN, 'x-forwarded-for': '1.2.3.4' },
      'GET',
    ],
    ['another method', '/systemsmanager/parameters/get?name=/a', undefined, 'POST'],
    ['refreshNow', '/systemsmanager/parameters/get?name=/a&refreshNow=true', undefined, 'GET'],
    ['a bad flag', '/systemsmanager/parameters/get?name=/a&withDecryption=maybe', undefined, 'GET'],
    ['the decrypted key', '/systemsmanager/parameters/get?name=/a&withDecryption=true', undefined, 'GET'],
  ])('hands %s to the app', (_label, url, headers, method) => {
    const { call, fallback } = setup();
    const res = call(url, headers, method);
    expect(fallback).toHaveBeenCalledTimes(1);
    expect(res.writeHead).not.toHaveBeenCalled();
  });
});
