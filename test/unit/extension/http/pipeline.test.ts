/**
 * The one request pipeline, driven by the golden table (test/golden/wire.ts): every row's request goes
 * through createPipeline with the real SDK adapters over fake SDK clients (moto's answers over the
 * golden FIXTURES), and must get the row's status, content type and body. Then what the table cannot
 * show: which requests reach the backend and the cache, and what is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { type AwsClients, createAwsBackends } from '../../../../extension/src/backends/aws-backends.js';
import type { Backends } from '../../../../extension/src/backends/types.js';
import { parameterKey } from '../../../../extension/src/cache/keys.js';
import { ValueCache } from '../../../../extension/src/cache/value-cache.js';
import { createAnswerer, createPipeline } from '../../../../extension/src/http/pipeline.js';
import { ANSWERS, type Answer, valueAnswer } from '../../../../extension/src/http/respond.js';
import { createLogger } from '../../../../extension/src/logger.js';
import { fakeAwsClients, unreachableAwsClients } from '../../../golden/fake-aws.js';
import { GOLDEN, type GoldenRow, TOKEN } from '../../../golden/wire.js';

interface Written {
  status: number;
  headers: Map<string, string>;
  body: string;
}

function pipelineOver(clients: AwsClients | (() => Promise<Backends>), cacheTtlMs = 60_000) {
  const logLines: string[] = [];
  const cache = new ValueCache<Answer>({
    enabled: true,
    size: 100,
    ttlMs: { ssm: cacheTtlMs, secretsManager: cacheTtlMs },
    staleOnError: false,
    prepare: valueAnswer,
  });
  const backends =
    typeof clients === 'function'
      ? vi.fn(clients)
      : vi.fn(async () =>
          createAwsBackends({ maxConnections: 1, timeoutMs: { ssm: 0, secretsManager: 0 } }, clients),
        );
  const handle = createPipeline({
    cache,
    tokens: [TOKEN],
    backends,
    logger: createLogger('DEBUG', (line) => logLines.push(line)),
  });
  /** Sends one request as node:http would hand it over (header names lower-cased). */
  const request = (method: string, url: string, headers: Record<string, string> = {}, body = '') =>
    new Promise<Written>((resolve) => {
      const lowered: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
      if (body !== '') lowered['content-length'] = String(Buffer.byteLength(body));
      const written: Written = { status: 0, headers: new Map(), body: '' };
      const res = {
        destroyed: false,
        writeHead(status: number, list: string[]) {
          written.status = status;
          for (let i = 0; i < list.length; i += 2) {
            written.headers.set(String(list[i]).toLowerCase(), String(list[i + 1]));
          }
        },
        end(chunk?: Buffer) {
          written.body = chunk === undefined ? '' : chunk.toString('utf8');
          resolve(written);
        },
      };
      handle(
        { method, url, headers: lowered } as unknown as IncomingMessage,
        res as unknown as ServerResponse,
      );
    });
  return { request, backends, logLines };
}

const label = (row: GoldenRow): string =>
  `${row.method} ${row.target.slice(0, 90)}${row.headers ? ` ${Object.keys(row.headers).join(',')}` : ''}${row.body === undefined ? '' : ' +body'}`;

describe('the pipeline answers every row of the golden table as recorded', () => {
  const moto = pipelineOver(fakeAwsClients());
  const unreachable = pipelineOver(unreachableAwsClients());
  it.each(GOLDEN.map((row) => [label(row), row] as const))('%s', async (_label, row) => {
    const { request } = row.backend === 'unreachable' ? unreachable : moto;
    const written = await request(row.method, row.target, row.headers, row.body);
    expect(written.status).toBe(row.status);
    expect(written.headers.get('content-type')).toBe(row.contentType);
    if (typeof row.answer === 'string') expect(written.body).toBe(row.answer);
    else expect(written.body).toContain(row.answer.contains);
    if (row.method === 'HEAD') expect(written.headers.get('content-length')).not.toBe('0');
    else expect(written.headers.get('content-length')).toBe(String(Buffer.byteLength(written.body)));
    expect(written.headers.get('allow')).toBe(row.allow);
  });
});

const PARAMETER = `/systemsmanager/parameters/get?name=/golden/plain`;
const auth = { 'X-Aws-Parameters-Secrets-Token': TOKEN };

describe('createPipeline', () => {
  it('answers /ping, refusals and invalid queries without loading the backends', async () => {
    const { request, backends } = pipelineOver(fakeAwsClients());
    await request('GET', '/ping');
    await request('GET', PARAMETER);
    await request('GET', PARAMETER, { ...auth, 'X-Forwarded-For': '1.2.3.4' });
    await request('POST', PARAMETER, auth);
    await request('GET', '/systemsmanager/parameters/get?name=', auth);
    await request('GET', '/nowhere', auth);
    expect(backends).not.toHaveBeenCalled();
  });

  it('reads a miss once and answers the next request from the cache, with the same bytes', async () => {
    const clients = fakeAwsClients();
    const send = vi.spyOn(clients.ssm, 'send');
    const { request } = pipelineOver(clients);
    const first = await request('GET', PARAMETER, auth);
    const second = await request('GET', PARAMETER, auth);
    expect(second.body).toBe(first.body);
    expect(JSON.parse(first.body).Parameter.Value).toBe('golden-plain-2');
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('asks the backend again for refreshNow=true, and keeps decrypted and plain reads apart', async () => {
    const clients = fakeAwsClients();
    const send = vi.spyOn(clients.ssm, 'send');
    const { request } = pipelineOver(clients);
    const secure = '/systemsmanager/parameters/get?name=/golden/secure';
    expect(JSON.parse((await request('GET', secure, auth)).body).Parameter.Value).toBe(
      'kms:alias/aws/ssm:golden-secure-plaintext',
    );
    expect(
      JSON.parse((await request('GET', `${secure}&withDecryption=true`, auth)).body).Parameter.Value,
    ).toBe('golden-secure-plaintext');
    await request('GET', `${secure}&refreshNow=true`, auth);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('does not cache a service whose TTL is 0', async () => {
    const clients = fakeAwsClients();
    const send = vi.spyOn(clients.ssm, 'send');
    const { request } = pipelineOver(clients, 0);
    await request('GET', PARAMETER, auth);
    await request('GET', PARAMETER, auth);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("logs a backend failure at ERROR with the path and AWS's code, never the token", async () => {
    const { request, logLines } = pipelineOver(fakeAwsClients());
    await request('GET', '/systemsmanager/parameters/get/?name=/golden/missing', auth);
    const log = logLines.join('');
    expect(log).toContain(
      'ERROR /systemsmanager/parameters/get request encountered an error: ParameterNotFound: Parameter /golden/missing not found.',
    );
    expect(log).not.toContain(TOKEN);
  });

  it('logs no invalid input, and warns once per X-Forwarded-For request', async () => {
    const { request, logLines } = pipelineOver(fakeAwsClients());
    await request('GET', '/systemsmanager/parameters/get?name=', auth);
    await request('GET', '/systemsmanager/parameters/get?name=/x&withDecryption=maybe', auth);
    expect(logLines.filter((line) => line.includes('ERROR') || line.includes('WARN'))).toEqual([]);
    await request('GET', '/ping', { 'X-Forwarded-For': '1.2.3.4' });
    expect(
      logLines.filter((line) => line.includes('WARN Rejecting request with X-Forwarded-For')),
    ).toHaveLength(1);
  });

  it('turns an unexpected failure into a bare 500, logged by its name only', async () => {
    const { request, logLines } = pipelineOver(async () => {
      throw new TypeError('secret detail');
    });
    const written = await request('GET', PARAMETER, auth);
    expect(written.status).toBe(500);
    expect(written.body).toBe('{"__type":"InternalFailure","message":"internal failure"}');
    expect(logLines.join('')).toContain('ERROR internal failure: TypeError');
    expect(logLines.join('')).not.toContain('secret detail');
  });

  it('closes the connection after a request whose body it does not read', async () => {
    const { request } = pipelineOver(fakeAwsClients());
    expect((await request('POST', PARAMETER, auth, 'x'.repeat(100))).headers.get('connection')).toBe('close');
    expect((await request('GET', '/ping')).headers.get('connection')).toBeUndefined();
  });

  it('keeps answering correctly after more distinct URLs than it remembers parses of', async () => {
    const { request } = pipelineOver(fakeAwsClients());
    for (let i = 0; i < 3_000; i++) expect((await request('GET', `/nowhere?i=${i}`)).status).toBe(404);
    expect((await request('GET', PARAMETER, auth)).status).toBe(200);
    expect((await request('GET', PARAMETER, { 'X-Aws-Parameters-Secrets-Token': 'no' })).status).toBe(401);
  });
});

describe('batch routes and /metrics', () => {
  const backendsWith = (overrides: Partial<Backends>) => async () =>
    ({
      getParameter: vi.fn(),
      getParametersByPath: vi.fn(),
      getSecretValue: vi.fn(),
      getSecretValues: vi.fn(),
      getParameters: vi.fn(
        async (names: readonly string[]) =>
          new Map(
            names.map((name) => [
              name,
              { secure: false, json: `{"Parameter":{"Name":"${name}"},"ResultMetadata":{}}` },
            ]),
          ),
      ),
      ...overrides,
    }) as Backends;
  const auth = { 'X-Aws-Parameters-Secrets-Token': TOKEN };

  it('need the token, refuse other methods, and answer HEAD without the body', async () => {
    const { request } = pipelineOver(backendsWith({}));
    expect((await request('GET', '/systemsmanager/parameters/getparameters?names=/a')).status).toBe(401);
    const post = await request('POST', '/secretsmanager/batchget?secretIds=a', auth);
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await request('HEAD', '/systemsmanager/parameters/getparameters?names=/a', auth);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answer a batch of cached items without loading the backends again, as single reads see them', async () => {
    const { request, backends } = pipelineOver(backendsWith({}));
    const first = await request('GET', '/systemsmanager/parameters/getparameters?names=/a,/b', auth);
    expect(JSON.parse(first.body)).toEqual({
      InvalidParameters: [],
      Parameters: [{ Name: '/a' }, { Name: '/b' }],
      Errors: [],
      ResultMetadata: {},
    });
    expect(backends).toHaveBeenCalledTimes(1);
    const single = await request('GET', '/systemsmanager/parameters/get?name=/b', auth);
    expect(single.body).toBe('{"Parameter":{"Name":"/b"},"ResultMetadata":{}}');
    await request('GET', '/systemsmanager/parameters/getparameters?names=/b,/a', auth);
    expect(backends).toHaveBeenCalledTimes(1);
  });

  it('answer /metrics only when the pipeline was given metrics', async () => {
    const { request } = pipelineOver(backendsWith({}));
    expect((await request('GET', '/metrics', auth)).status).toBe(404);
  });
});

describe('createAnswerer', () => {
  const answererOver = () => {
    const cache = new ValueCache<Answer>({
      enabled: true,
      size: 10,
      ttlMs: { ssm: 60_000, secretsManager: 60_000 },
      staleOnError: false,
      prepare: valueAnswer,
    });
    const answer = createAnswerer({
      cache,
      tokens: [TOKEN],
      backends: async () =>
        createAwsBackends({ maxConnections: 1, timeoutMs: { ssm: 0, secretsManager: 0 } }, fakeAwsClients()),
      logger: createLogger('NONE'),
    });
    return { cache, answer };
  };
  const headers = { 'x-aws-parameters-secrets-token': TOKEN };

  it('decides refusals at once, without a promise', () => {
    const { answer } = answererOver();
    expect(answer('GET', '/ping', {})).toBe(ANSWERS.ping);
    expect(answer('GET', PARAMETER, {})).toBe(ANSWERS.badToken);
    expect(answer('DELETE', PARAMETER, headers)).toBe(ANSWERS.methodNotAllowed);
  });

  it('answers a fault of its own (here a target that is not a string) with the logged 500, never a throw', () => {
    const lines: string[] = [];
    const answer = createAnswerer({
      cache: new ValueCache<Answer>({
        enabled: true,
        size: 10,
        ttlMs: { ssm: 60_000, secretsManager: 60_000 },
        staleOnError: false,
        prepare: valueAnswer,
      }),
      tokens: [TOKEN],
      backends: async () => {
        throw new Error('not reached');
      },
      logger: createLogger('ERROR', (line) => lines.push(line)),
    });
    expect(answer('GET', 42 as unknown as string, headers)).toBe(ANSWERS.internalFailure);
    expect(lines).toEqual([expect.stringContaining('ERROR internal failure: TypeError')]);
  });

  it("answers a miss with a promise, and the hit after it at once with the cache entry's own Answer", async () => {
    const { cache, answer } = answererOver();
    const miss = answer('GET', PARAMETER, headers);
    expect(miss).toBeInstanceOf(Promise);
    const read = await miss;
    expect(read.status).toBe(200);
    const hit = answer('GET', PARAMETER, headers);
    // The prepared object itself: nothing is allocated to answer a hit.
    expect(hit).toBe(read);
    expect(hit).toBe(cache.fresh('ssm', parameterKey('/golden/plain', false))?.value);
  });
});
