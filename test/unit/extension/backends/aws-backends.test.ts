import { type BatchGetSecretValueCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  type GetParametersByPathCommand,
  GetParametersCommand,
  ParameterNotFound,
} from '@aws-sdk/client-ssm';
import { describe, expect, it, vi } from 'vitest';
import {
  type AwsClients,
  createAwsBackends,
  type SendsCommands,
} from '../../../../extension/src/backends/aws-backends.js';
import { BackendError } from '../../../../extension/src/errors.js';

const settings = { maxConnections: 3, timeoutMs: { ssm: 0, secretsManager: 0 } };

function mockClient(answer: (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>) {
  return { send: vi.fn(answer) } satisfies SendsCommands;
}

function backendsWith(clients: Partial<AwsClients>, overrides = {}) {
  const unused = mockClient(async () => {
    throw new Error('unexpected call');
  });
  return createAwsBackends(
    { ...settings, ...overrides },
    { ssm: unused, secretsManager: unused, ...clients },
  );
}

describe('createAwsBackends', () => {
  it('calls GetParameter with the name and decryption flag and serializes like AWS extension', async () => {
    const ssm = mockClient(async () => ({
      Parameter: {
        Name: '/a',
        Type: 'String',
        Value: 'v<&>',
        Version: 3,
        LastModifiedDate: new Date('2022-11-16T08:22:40.360Z'),
        ARN: 'arn:aws:ssm:us-east-1:1:parameter/a',
        DataType: 'text',
      },
      $metadata: { httpStatusCode: 200 },
    }));

    const body = await backendsWith({ ssm }).getParameter({ name: '/a:3', withDecryption: true });

    const command = ssm.send.mock.calls[0]?.[0];
    expect(command).toBeInstanceOf(GetParameterCommand);
    expect((command as GetParameterCommand).input).toEqual({ Name: '/a:3', WithDecryption: true });
    expect(body).toBe(
      '{"Parameter":{"ARN":"arn:aws:ssm:us-east-1:1:parameter/a","DataType":"text","LastModifiedDate":"2022-11-16T08:22:40.36Z",' +
        '"Name":"/a","Selector":null,"SourceResult":null,"Type":"String","Value":"v\\u003c\\u0026\\u003e","Version":3},"ResultMetadata":{}}',
    );
  });

  it('serializes a binary secret as base64 with SecretString null', async () => {
    const secretsManager = mockClient(async () => ({
      ARN: 'arn:s',
      Name: 'bin',
      SecretBinary: new Uint8Array([1, 2, 3, 255]),
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date('2022-11-16T08:22:40.000Z'),
      $metadata: {},
    }));

    const body = await backendsWith({ secretsManager }).getSecretValue({
      secretId: 'bin',
      versionId: undefined,
      versionStage: 'AWSCURRENT',
    });

    const command = secretsManager.send.mock.calls[0]?.[0] as GetSecretValueCommand;
    expect(command).toBeInstanceOf(GetSecretValueCommand);
    expect(command.input).toMatchObject({ SecretId: 'bin', VersionStage: 'AWSCURRENT' });
    expect(JSON.parse(body)).toEqual({
      ARN: 'arn:s',
      CreatedDate: '2022-11-16T08:22:40Z',
      Name: 'bin',
      SecretBinary: 'AQID/w==',
      SecretString: null,
      VersionId: 'v1',
      VersionStages: ['AWSCURRENT'],
      ResultMetadata: {},
    });
  });

  it('turns an SSM service error into a BackendError with its code and message', async () => {
    const ssm = mockClient(async () => {
      throw new ParameterNotFound({ message: 'Parameter /x not found.', $metadata: { httpStatusCode: 400 } });
    });

    const failure = backendsWith({ ssm }).getParameter({ name: '/x', withDecryption: false });
    await expect(failure).rejects.toBeInstanceOf(BackendError);
    await expect(failure).rejects.toMatchObject({
      code: 'ParameterNotFound',
      message: 'Parameter /x not found.',
      transient: false,
    });
  });

  it('aborts a call after *_TIMEOUT_MILLIS and reports TimeoutError', async () => {
    const ssm = mockClient(
      (_command, options) =>
        new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    );

    await expect(
      backendsWith({ ssm }, { timeoutMs: { ssm: 20, secretsManager: 0 } }).getParameter({
        name: '/slow',
        withDecryption: false,
      }),
    ).rejects.toMatchObject({ code: 'TimeoutError', transient: true });
  });

  it('reads GetParameters in calls of 10 names, in parallel, matching answers to the names asked', async () => {
    const ssm = mockClient(async (command) => {
      const names = (command as GetParametersCommand).input.Names ?? [];
      return {
        Parameters: names
          .filter((name) => name !== '/p3')
          .map((name) => ({
            Name: name,
            Type: name === '/p0' ? 'SecureString' : 'String',
            Value: `v${name}`,
          })),
        InvalidParameters: names.filter((name) => name === '/p3'),
      };
    });
    const names = Array.from({ length: 12 }, (_, i) => `/p${i}`);

    const found = await backendsWith({ ssm }).getParameters(names, true);

    expect(ssm.send).toHaveBeenCalledTimes(2);
    const first = ssm.send.mock.calls[0]?.[0] as GetParametersCommand;
    expect(first).toBeInstanceOf(GetParametersCommand);
    expect(first.input).toEqual({ Names: names.slice(0, 10), WithDecryption: true });
    const read = found.get('/p0');
    expect(read).toMatchObject({ secure: true });
    expect(JSON.parse((read as { json: string }).json).Parameter.Value).toBe('v/p0');
    expect(found.get('/p1')).toMatchObject({ secure: false });
    expect(found.get('/p3')).toMatchObject({ code: 'ParameterNotFound' });
    expect(found.size).toBe(12);
  });

  it('fails every name of a GetParameters call that failed, and only those', async () => {
    let calls = 0;
    const ssm = mockClient(async (command) => {
      if (++calls === 2) {
        const throttled = {
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        };
        throw Object.assign(new Error('Rate exceeded'), throttled);
      }
      const names = (command as GetParametersCommand).input.Names ?? [];
      return { Parameters: names.map((name) => ({ Name: name, Type: 'String', Value: 'v' })) };
    });
    const names = Array.from({ length: 15 }, (_, i) => `/q${i}`);

    const found = await backendsWith({ ssm }).getParameters(names, false);

    const failed = names.filter((name) => found.get(name) instanceof Error);
    expect(failed).toEqual(names.slice(10));
    expect(found.get('/q14')).toMatchObject({ code: 'ThrottlingException', transient: true });
  });

  it('merges every GetParametersByPath page and refuses more than the bound', async () => {
    const pages = [['/a/1', '/a/2'], ['/a/3'], ['/a/4']];
    const ssm = mockClient(async (command) => {
      const input = (command as GetParametersByPathCommand).input;
      const page = input.NextToken === undefined ? 0 : Number(input.NextToken);
      return {
        Parameters: (pages[page] ?? []).map((name) => ({ Name: name, Type: 'String', Value: name })),
        NextToken: page + 1 < pages.length ? String(page + 1) : undefined,
      };
    });
    const request = { path: '/a/', recursive: true, withDecryption: true };

    const { parameters } = await backendsWith({ ssm }).getParametersByPath(request, 4);
    expect(parameters.map((parameter) => parameter.name)).toEqual(['/a/1', '/a/2', '/a/3', '/a/4']);
    const input = (ssm.send.mock.calls[0]?.[0] as GetParametersByPathCommand | undefined)?.input;
    expect(input).toMatchObject({ Path: '/a/', Recursive: true, WithDecryption: true, MaxResults: 10 });

    await expect(backendsWith({ ssm }).getParametersByPath(request, 3)).rejects.toMatchObject({
      code: 'TooManyParameters',
    });
  });

  it('reads BatchGetSecretValue in calls of 20 ids, by name or ARN, with its per-item errors', async () => {
    const secretsManager = mockClient(async (command) => {
      const ids = (command as BatchGetSecretValueCommand).input.SecretIdList ?? [];
      return {
        SecretValues: ids
          .filter((id) => id !== 's7')
          .map((id) => ({
            Name: id === 'arn:x' ? 'named' : id,
            ARN: id === 'arn:x' ? 'arn:x' : `arn:${id}`,
            SecretString: `v-${id}`,
          })),
        Errors: ids
          .filter((id) => id === 's7')
          .map((id) => ({ SecretId: id, ErrorCode: 'ResourceNotFoundException', Message: 'no such secret' })),
      };
    });
    const ids = [...Array.from({ length: 21 }, (_, i) => `s${i}`), 'arn:x'];

    const found = await backendsWith({ secretsManager }).getSecretValues(ids);

    expect(secretsManager.send).toHaveBeenCalledTimes(2);
    expect(JSON.parse(found.get('s0') as string).SecretString).toBe('v-s0');
    expect(JSON.parse(found.get('arn:x') as string).Name).toBe('named');
    expect(found.get('s7')).toMatchObject({ code: 'ResourceNotFoundException', message: 'no such secret' });
  });
});
