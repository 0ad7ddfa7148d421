import { describe, expect, it, vi } from 'vitest';
import type { Backends } from '../../../../extension/src/backends/types.js';
import { parameterKey, secretKey } from '../../../../extension/src/cache/keys.js';
import { ValueCache } from '../../../../extension/src/cache/value-cache.js';
import { BackendError } from '../../../../extension/src/errors.js';
import { createBatchReader } from '../../../../extension/src/http/batch.js';
import {
  byPathLookup,
  parametersLookup,
  secretsLookup,
} from '../../../../extension/src/http/batch-lookup.js';
import { type Answer, errorAnswer, valueAnswer } from '../../../../extension/src/http/respond.js';
import { createLogger } from '../../../../extension/src/logger.js';

const parameterJson = (name: string) => `{"Parameter":{"Name":"${name}"},"ResultMetadata":{}}`;
const throttled = () => new BackendError('ThrottlingException', 'Rate exceeded', true);

function readerWith(overrides: Partial<Backends>) {
  const cache = new ValueCache<Answer>({
    enabled: true,
    size: 100,
    ttlMs: { ssm: 60_000, secretsManager: 60_000 },
    staleOnError: false,
    prepare: valueAnswer,
  });
  const backends = {
    getParameter: vi.fn(async ({ name }) => parameterJson(name)),
    getParameters: vi.fn(),
    getParametersByPath: vi.fn(),
    getSecretValue: vi.fn(),
    getSecretValues: vi.fn(),
    ...overrides,
  } as Backends;
  const lines: string[] = [];
  const failureAnswer = vi.fn((error: unknown) => errorAnswer(400, error as BackendError));
  const read = createBatchReader({
    cache,
    backends: async () => backends,
    logger: createLogger('DEBUG', (line) => lines.push(line)),
    failureAnswer,
  });
  const body = async (answer: Promise<Answer>) => JSON.parse((await answer).body.toString('utf8'));
  return { cache, backends, read, body, lines, failureAnswer };
}

describe('createBatchReader', () => {
  it('answers what it read, lists what does not exist and names what failed; caches only what it read', async () => {
    const { cache, read, body, lines } = readerWith({
      getParameters: vi.fn(
        async (names: readonly string[]) =>
          new Map<string, { json: string; secure: boolean } | Error>([
            [names[0] as string, { json: parameterJson(names[0] as string), secure: false }],
            [names[1] as string, new BackendError('ParameterNotFound', 'no', false)],
            [names[2] as string, throttled()],
          ]),
      ),
    });

    const answer = await body(read(parametersLookup('names=/a,/gone,/slow')));

    expect(answer).toEqual({
      InvalidParameters: ['/gone'],
      Parameters: [{ Name: '/a' }],
      Errors: [{ ErrorCode: 'ThrottlingException', Message: 'Rate exceeded', Name: '/slow' }],
      ResultMetadata: {},
    });
    expect(cache.fresh('ssm', parameterKey('/a', false))).toBeDefined();
    expect(cache.fresh('ssm', parameterKey('/slow', false))).toBeUndefined();
    // The log names the codes, never which names failed.
    expect(lines.join('')).toContain('1 item(s) could not be read (ThrottlingException)');
    expect(lines.join('')).not.toContain('/slow');
  });

  it('answers a batch of which nothing was read with the first failure, as a single read', async () => {
    const { read, failureAnswer } = readerWith({
      getSecretValues: vi.fn(async (ids: readonly string[]) => new Map(ids.map((id) => [id, throttled()]))),
    });
    const answer = await read(secretsLookup('secretIds=a,b'));
    expect(answer.status).toBe(400);
    expect(failureAnswer).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'ThrottlingException' }),
      'secrets',
    );
  });

  it('reads one by one the secrets a role without BatchGetSecretValue is denied', async () => {
    const { read, body } = readerWith({
      getSecretValues: vi.fn(
        async (ids: readonly string[]) =>
          new Map(ids.map((id) => [id, new BackendError('AccessDeniedException', 'not allowed', false)])),
      ),
      getSecretValue: vi.fn(
        async ({ secretId }) => `{"Name":"${secretId}","SecretString":"v","ResultMetadata":{}}`,
      ),
    });
    const answer = await body(read(secretsLookup('secretIds=a,b')));
    expect(answer.SecretValues.map((secret: { Name: string }) => secret.Name)).toEqual(['a', 'b']);
    expect(answer.Errors).toEqual([]);
  });

  it('answers 200 when every secret is merely not found (BatchGetSecretValue does)', async () => {
    const { read, body } = readerWith({
      getSecretValues: vi.fn(
        async (ids: readonly string[]) =>
          new Map(ids.map((id) => [id, new BackendError('ResourceNotFoundException', 'gone', false)])),
      ),
    });
    const answer = await body(read(secretsLookup('secretIds=a')));
    expect(answer.SecretValues).toEqual([]);
    expect(answer.Errors).toEqual([
      { ErrorCode: 'ResourceNotFoundException', Message: 'gone', SecretId: 'a' },
    ]);
  });

  it('caches a by-path answer whole and each of its parameters under its single-read key', async () => {
    const getParametersByPath = vi.fn(async () => ({
      parameters: ['/app/x', '/app/y'].map((name) => ({ name, secure: false, json: parameterJson(name) })),
    }));
    const { cache, read, body } = readerWith({ getParametersByPath });

    const first = await body(read(byPathLookup('path=/app/&withDecryption=true')));
    await read(byPathLookup('path=/app/&withDecryption=true'));

    expect(first).toEqual({ Parameters: [{ Name: '/app/x' }, { Name: '/app/y' }], ResultMetadata: {} });
    expect(getParametersByPath).toHaveBeenCalledTimes(1);
    expect(cache.fresh('ssm', parameterKey('/app/y', true))?.value.body.toString()).toBe(
      parameterJson('/app/y'),
    );
    expect(cache.fresh('ssm', parameterKey('/app/y', false))).toBeUndefined();
    expect(cache.fresh('secretsManager', secretKey('/app/y', undefined, undefined))).toBeUndefined();
  });
});
