/** The direct path: with the in-process extension's object in the thread, reads never touch the socket. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IN_PROCESS_SYMBOL, type InProcessAnswer } from '../../../client/src/in-process.js';
import { getParameter, getSecrets, ParametersSecretsError } from '../../../client/src/index.js';
import { type FakeExtension, json, parameterAnswer, startFake } from './fake-extension.js';

const slot = globalThis as Record<symbol, unknown>;
const saved = { ...process.env };
let fake: FakeExtension;
let calls: { target: string; token: string | undefined }[];

/** A stand-in for the in-process extension's object, answering as told. */
function install(
  answer: (target: string) => InProcessAnswer | Promise<InProcessAnswer>,
  version: unknown = 1,
): void {
  slot[IN_PROCESS_SYMBOL] = {
    version,
    get: async (target: string, token: string | undefined) => {
      calls.push({ target, token });
      return answer(target);
    },
  };
}

beforeEach(async () => {
  calls = [];
  fake = await startFake();
  fake.answer = (_req, res) => json(res, 200, parameterAnswer('over http'));
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(fake.port);
  process.env.AWS_SESSION_TOKEN = 'session-token';
});

afterEach(async () => {
  delete slot[IN_PROCESS_SYMBOL];
  await fake.close();
  process.env = { ...saved };
});

describe('the in-process direct path', () => {
  it('asks the object with the same target and token HTTP would carry, and no request goes out', async () => {
    install(() => ({ status: 200, body: JSON.stringify(parameterAnswer('direct')) }));
    await expect(getParameter('/app/url', { decrypt: true })).resolves.toBe('direct');
    expect(calls).toEqual([
      {
        target: '/systemsmanager/parameters/get?name=%2Fapp%2Furl&withDecryption=true',
        token: 'session-token',
      },
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it('turns its failures into the same typed errors as HTTP answers', async () => {
    install(() => ({
      status: 400,
      body: '{"__type":"ParameterNotFound","message":"Parameter /x not found."}',
    }));
    const error = await getParameter('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParametersSecretsError);
    expect(error).toMatchObject({ code: 'ParameterNotFound', status: 400 });
    install(() => ({ status: 401, body: 'bad session token or header key' }));
    await expect(getParameter('/x')).rejects.toMatchObject({ code: 'Unauthorized', status: 401 });
  });

  it('serves batch reads too', async () => {
    install(() => ({
      status: 200,
      body: JSON.stringify({
        Errors: [],
        SecretValues: [{ ARN: 'arn:s', Name: 's', SecretString: 'v', SecretBinary: null }],
      }),
    }));
    await expect(getSecrets(['s'])).resolves.toMatchObject({ values: { s: 'v' } });
    expect(calls[0]?.target).toBe('/secretsmanager/batchget?secretIds=s');
  });

  it('reads over HTTP when the object has another version or no get', async () => {
    install(() => ({ status: 200, body: JSON.stringify(parameterAnswer('direct')) }), 2);
    await expect(getParameter('/a')).resolves.toBe('over http');
    slot[IN_PROCESS_SYMBOL] = { version: 1 };
    await expect(getParameter('/a')).resolves.toBe('over http');
    expect(calls).toHaveLength(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('reports an object that rejects (against its contract) as ExtensionUnreachable', async () => {
    install(() => Promise.reject(new Error('boom')));
    await expect(getParameter('/a')).rejects.toMatchObject({ code: 'ExtensionUnreachable', status: 0 });
  });
});
