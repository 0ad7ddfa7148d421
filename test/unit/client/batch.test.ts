import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  getParameters,
  getParametersByPath,
  getSecrets,
  MAX_BATCH_ITEMS,
  ParametersSecretsError,
} from '../../../client/src/index.js';
import { type FakeExtension, json, startFake } from './fake-extension.js';

const saved = { ...process.env };
let fake: FakeExtension;

beforeEach(async () => {
  fake = await startFake();
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(fake.port);
  process.env.AWS_SESSION_TOKEN = 'session-token';
});

afterEach(async () => {
  await fake.close();
  process.env = { ...saved };
});

const parameter = (name: string, value: string, selector: string | null = null) => ({
  ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
  DataType: 'text',
  Name: name,
  Selector: selector,
  Type: 'String',
  Value: value,
  Version: 3,
});

/** The `names` / `secretIds` list of a recorded request. */
const listOf = (url: string, key: string): string[] =>
  (new URL(url, 'http://x').searchParams.get(key) ?? '').split(',');

describe('getParameters', () => {
  it('asks once with the names comma-joined and gives each value under the name as asked', async () => {
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/c';
    fake.answer = (_req, res) =>
      json(res, 200, {
        InvalidParameters: ['/app/missing'],
        Parameters: [parameter('/app/a', 'A'), parameter('/app/b', 'B3', ':3'), parameter('/app/c', 'C')],
        Errors: [{ ErrorCode: 'ThrottlingException', Message: 'Rate exceeded', Name: '/app/d' }],
        ResultMetadata: {},
      });
    const result = await getParameters(['/app/a', '/app/b:3', arn, '/app/missing', '/app/d', '/app/a'], {
      decrypt: true,
    });
    expect(fake.requests.map((r) => r.url)).toEqual([
      `/systemsmanager/parameters/getparameters?names=${encodeURIComponent(`/app/a,/app/b:3,${arn},/app/missing,/app/d`)}&withDecryption=true`,
    ]);
    expect(result.values).toEqual({ '/app/a': 'A', '/app/b:3': 'B3', [arn]: 'C' });
    expect(result.parameters.map((p) => p.Name)).toEqual(['/app/a', '/app/b', '/app/c']);
    expect(result.invalid).toEqual(['/app/missing']);
    expect(result.errors).toEqual([{ id: '/app/d', code: 'ThrottlingException', message: 'Rate exceeded' }]);
  });

  it(`sends more than ${MAX_BATCH_ITEMS} names as several requests and merges their answers in order`, async () => {
    fake.answer = (req, res) =>
      json(res, 200, {
        InvalidParameters: [],
        Parameters: listOf(req.url ?? '', 'names').map((n) => parameter(n, `v${n}`)),
        Errors: [],
      });
    const names = Array.from({ length: MAX_BATCH_ITEMS * 2 + 1 }, (_, i) => `/p/${i}`);
    const result = await getParameters(names);
    expect(fake.requests.map((r) => listOf(r.url, 'names').length).sort((a, b) => a - b)).toEqual([
      1,
      MAX_BATCH_ITEMS,
      MAX_BATCH_ITEMS,
    ]);
    expect(result.parameters.map((p) => p.Name)).toEqual(names);
    expect(result.values['/p/100']).toBe('v/p/100');
  });

  it('refuses a name with a comma or an empty name before any request; no names, no request', async () => {
    await expect(getParameters(['/a', '/b,c'])).rejects.toThrow(/contains a comma/);
    await expect(getParameters(['/a', ''])).rejects.toThrow(TypeError);
    await expect(getParameters([])).resolves.toEqual({ values: {}, parameters: [], invalid: [], errors: [] });
    expect(fake.requests).toHaveLength(0);
  });

  it("rejects with AWS's code and the status when the extension fails the batch as a whole", async () => {
    fake.answer = (_req, res) =>
      json(res, 400, {
        __type: 'AccessDeniedException',
        message: 'not authorized to perform ssm:GetParameters',
      });
    const error = await getParameters(['/a', '/b']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParametersSecretsError);
    expect(error).toMatchObject({ code: 'AccessDeniedException', status: 400 });
  });

  it('keys a name such as __proto__ as a plain entry', async () => {
    fake.answer = (_req, res) =>
      json(res, 200, { InvalidParameters: [], Parameters: [parameter('__proto__', 'x')], Errors: [] });
    const { values } = await getParameters(['__proto__']);
    expect(Object.keys(values)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe('x');
  });
});

describe('getParametersByPath', () => {
  it('passes path, recursive and decrypt, and gives values by full name', async () => {
    fake.answer = (_req, res) =>
      json(res, 200, {
        Parameters: [parameter('/app/a', 'A'), parameter('/app/x/b', 'B')],
        ResultMetadata: {},
      });
    const result = await getParametersByPath('/app', { recursive: true, decrypt: true });
    expect(fake.requests[0]?.url).toBe(
      '/systemsmanager/parameters/getbypath?path=%2Fapp&recursive=true&withDecryption=true',
    );
    expect(result.values).toEqual({ '/app/a': 'A', '/app/x/b': 'B' });
    expect(result.parameters).toHaveLength(2);
  });

  it('rejects a hierarchy too large to read whole with TooManyParameters', async () => {
    fake.answer = (_req, res) => json(res, 400, { __type: 'TooManyParameters', message: 'more than 500' });
    await expect(getParametersByPath('/big')).rejects.toMatchObject({
      code: 'TooManyParameters',
      status: 400,
    });
  });
});

describe('getSecrets', () => {
  const secret = (name: string, fields: Record<string, unknown>) => ({
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
    Name: name,
    SecretBinary: null,
    SecretString: null,
    VersionId: 'v1',
    VersionStages: ['AWSCURRENT'],
    ...fields,
  });

  it('gives string secrets under the id as asked, binary ones in secrets only, failures in errors', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/key-AbCdEf';
    fake.answer = (_req, res) =>
      json(res, 200, {
        Errors: [{ ErrorCode: 'ResourceNotFoundException', Message: 'not found', SecretId: 'app/gone' }],
        SecretValues: [
          secret('app/db', { SecretString: '{"password":"p"}' }),
          secret('app/key', { SecretString: 'k' }),
          secret('app/cert', { SecretBinary: 'AAE=' }),
        ],
        ResultMetadata: {},
      });
    const result = await getSecrets(['app/db', arn, 'app/cert', 'app/gone'], { refreshNow: true });
    expect(fake.requests[0]?.url).toBe(
      `/secretsmanager/batchget?secretIds=${encodeURIComponent(`app/db,${arn},app/cert,app/gone`)}&refreshNow=true`,
    );
    expect(result.values).toEqual({ 'app/db': '{"password":"p"}', [arn]: 'k' });
    expect(result.secrets.map((s) => s.Name)).toEqual(['app/db', 'app/key', 'app/cert']);
    expect(result.errors).toEqual([
      { id: 'app/gone', code: 'ResourceNotFoundException', message: 'not found' },
    ]);
  });

  it('reports an answer without SecretValues as InvalidResponse', async () => {
    fake.answer = (_req, res) => json(res, 200, { Errors: [] });
    await expect(getSecrets(['a'])).rejects.toMatchObject({ code: 'InvalidResponse', status: 200 });
  });
});
