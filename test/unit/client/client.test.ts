import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONNECT_RETRY_BUDGET_MS,
  getParameter,
  getSecret,
  getSecretBinary,
  getSecretJson,
  ParametersSecretsError,
} from '../../../client/src/index.js';
import { freePort } from '../../helpers/free-port.js';
import { type FakeExtension, json, parameterAnswer, startFake } from './fake-extension.js';

const saved = { ...process.env };
let fake: FakeExtension;

beforeEach(async () => {
  fake = await startFake();
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(fake.port);
  process.env.AWS_SESSION_TOKEN = 'session-token';
  delete process.env.PARAMETERS_SECRETS_EXTENSION_TOKEN;
  delete process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
});

afterEach(async () => {
  await fake.close();
  process.env = { ...saved };
});

async function rejection(promise: Promise<unknown>): Promise<ParametersSecretsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParametersSecretsError);
  return error as ParametersSecretsError;
}

describe('getParameter', () => {
  it("returns the value, asking the extension's API with the session token", async () => {
    fake.answer = (_req, res) => json(res, 200, parameterAnswer('https://example.com'));
    await expect(getParameter('/app/url')).resolves.toBe('https://example.com');
    expect(fake.requests).toEqual([
      { url: '/systemsmanager/parameters/get?name=%2Fapp%2Furl', token: 'session-token' },
    ]);
  });

  it('passes decrypt, version, label and refreshNow as the query parameters AWS documents', async () => {
    fake.answer = (_req, res) => json(res, 200, parameterAnswer('v'));
    await getParameter('/db/password', { decrypt: true, version: 3 });
    await getParameter('/db/password', { label: 'prod & live', refreshNow: true });
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/systemsmanager/parameters/get?name=%2Fdb%2Fpassword&withDecryption=true&version=3',
      '/systemsmanager/parameters/get?name=%2Fdb%2Fpassword&label=prod%20%26%20live&refreshNow=true',
    ]);
  });

  it('refuses version and label together, without a request', async () => {
    await expect(getParameter('/a', { version: 1, label: 'x' })).rejects.toThrow(TypeError);
    expect(fake.requests).toHaveLength(0);
  });

  it("carries AWS's error code, message and the HTTP status", async () => {
    fake.answer = (_req, res) =>
      json(res, 400, { __type: 'ParameterNotFound', message: 'Parameter /missing not found.' });
    const error = await rejection(getParameter('/missing'));
    expect(error.code).toBe('ParameterNotFound');
    expect(error.status).toBe(400);
    expect(error.message).toBe('parameter /missing: ParameterNotFound: Parameter /missing not found.');
  });

  it('reports a refused token as Unauthorized (401) without echoing the token', async () => {
    fake.answer = (_req, res) =>
      res.writeHead(401, { 'content-type': 'text/plain' }).end('bad session token or header key');
    const error = await rejection(getParameter('/a'));
    expect(error).toMatchObject({ code: 'Unauthorized', status: 401 });
    expect(error.message).not.toContain('session-token');
  });

  it('sends PARAMETERS_SECRETS_EXTENSION_TOKEN when it is set (long-lived keys, no session token)', async () => {
    delete process.env.AWS_SESSION_TOKEN;
    process.env.PARAMETERS_SECRETS_EXTENSION_TOKEN = 'local-token';
    fake.answer = (_req, res) => json(res, 200, parameterAnswer('v'));
    await getParameter('/a');
    expect(fake.requests[0]?.token).toBe('local-token');
  });

  it('sends no token header when no token variable is set', async () => {
    delete process.env.AWS_SESSION_TOKEN;
    fake.answer = (_req, res) => json(res, 200, parameterAnswer('v'));
    await getParameter('/a');
    expect(fake.requests[0]?.token).toBeUndefined();
  });

  it("keeps AWS's extension's non-JSON error bodies out of the code", async () => {
    fake.answer = (_req, res) =>
      res.writeHead(400).end('an unexpected error occurred while executing request');
    expect(await rejection(getParameter('/a'))).toMatchObject({ code: 'HTTP400', status: 400 });
  });

  it('reuses one keep-alive connection for reads one after another', async () => {
    fake.answer = (_req, res) => json(res, 200, parameterAnswer('v'));
    for (let i = 0; i < 20; i++) await getParameter('/a');
    expect(fake.requests).toHaveLength(20);
    expect(fake.connections()).toBe(1);
  });
});

describe('secrets', () => {
  const secretAnswer = (fields: Record<string, unknown>) => ({
    ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf',
    Name: 'app/db',
    SecretBinary: null,
    SecretString: null,
    VersionId: 'v1',
    VersionStages: ['AWSCURRENT'],
    ResultMetadata: {},
    ...fields,
  });

  it('getSecret returns the SecretString and passes versionStage and versionId', async () => {
    fake.answer = (_req, res) => json(res, 200, secretAnswer({ SecretString: 'hunter2' }));
    await expect(getSecret('app/db', { versionStage: 'AWSPREVIOUS', versionId: 'v1' })).resolves.toBe(
      'hunter2',
    );
    expect(fake.requests[0]?.url).toBe(
      '/secretsmanager/get?secretId=app%2Fdb&versionStage=AWSPREVIOUS&versionId=v1',
    );
  });

  it('getSecretJson parses the SecretString', async () => {
    fake.answer = (_req, res) =>
      json(res, 200, secretAnswer({ SecretString: '{"username":"app","port":5432}' }));
    await expect(getSecretJson('app/db')).resolves.toEqual({ username: 'app', port: 5432 });
  });

  it('getSecretJson refuses a SecretString that is not JSON without quoting it', async () => {
    fake.answer = (_req, res) => json(res, 200, secretAnswer({ SecretString: 'not-json-hunter2' }));
    const error = await rejection(getSecretJson('app/db'));
    expect(error.code).toBe('WrongSecretType');
    expect(error.message).not.toContain('hunter2');
  });

  it('getSecretBinary decodes SecretBinary; getSecret refuses a binary secret', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    fake.answer = (_req, res) => json(res, 200, secretAnswer({ SecretBinary: bytes.toString('base64') }));
    await expect(getSecretBinary('app/cert')).resolves.toEqual(bytes);
    const error = await rejection(getSecret('app/cert'));
    expect(error.code).toBe('WrongSecretType');
    expect(error.message).toContain('getSecretBinary');
  });

  it('getSecretBinary refuses a string secret', async () => {
    fake.answer = (_req, res) => json(res, 200, secretAnswer({ SecretString: 'hunter2' }));
    const error = await rejection(getSecretBinary('app/db'));
    expect(error.code).toBe('WrongSecretType');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('reaching the extension', () => {
  it('retries a refused connection while the extension starts, then reads', async () => {
    const port = await freePort();
    process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(port);
    let late: FakeExtension | undefined;
    const starting = new Promise<void>((resolve) =>
      setTimeout(async () => {
        late = await startFake(port);
        late.answer = (_req, res) => json(res, 200, parameterAnswer('ready'));
        resolve();
      }, 150),
    );
    try {
      await expect(getParameter('/a')).resolves.toBe('ready');
    } finally {
      await starting;
      await late?.close();
    }
  });

  it('gives up after the bounded retries with ExtensionUnreachable (status 0)', async () => {
    process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(await freePort());
    const started = Date.now();
    const error = await rejection(getParameter('/a'));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'ExtensionUnreachable', status: 0 });
    expect(error.message).toContain('ECONNREFUSED');
    expect(elapsed).toBeGreaterThanOrEqual(CONNECT_RETRY_BUDGET_MS / 2);
    // Bounded: the budget plus one last attempt (generous: the machine may be loaded).
    expect(elapsed).toBeLessThan(CONNECT_RETRY_BUDGET_MS + 3000);
  });

  it('retries once on a new connection when a reused keep-alive socket was closed by the extension', async () => {
    let served = 0;
    fake.answer = (req, res) => {
      served++;
      // The second request arrives on the kept-alive socket: drop it unanswered, as a server that
      // timed the connection out while the sandbox was frozen would.
      if (served === 2) req.socket.destroy();
      else json(res, 200, parameterAnswer(`answer ${served}`));
    };
    await expect(getParameter('/a')).resolves.toBe('answer 1');
    await expect(getParameter('/a')).resolves.toBe('answer 3');
    expect(fake.connections()).toBe(2);
  });

  it('does not retry a broken fresh connection', async () => {
    fake.answer = (req) => req.socket.destroy();
    const error = await rejection(getParameter('/a'));
    expect(error.code).toBe('ExtensionUnreachable');
    expect(fake.requests).toHaveLength(1);
  });
});
