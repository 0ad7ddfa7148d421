/**
 * The batch reads (GetParameters, GetParametersByPath, BatchGetSecretValue behind the cache) through the
 * built extension against moto, with every backend call counted by a proxy in front of it.
 */

import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type ExtensionProcess, extensionsAgainst } from '../helpers/extension-process.js';
import { get, getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';

interface Parameter {
  Name: string;
  Value: string;
  Type: string;
  Version: number;
}
interface ParametersBody {
  InvalidParameters: string[];
  Parameters: Parameter[];
  Errors: Array<{ ErrorCode: string; Message: string; Name: string }>;
  ResultMetadata: Record<string, never>;
}
interface SecretsBody {
  Errors: Array<{ ErrorCode: string; Message: string; SecretId: string }>;
  SecretValues: Array<{ Name: string; SecretString: string; VersionStages: string[] }>;
}

/** 15 parameters directly under /batch/app/, 10 more under /batch/app/sub/; p3 is a SecureString. */
const PARAMETER_NAMES = Array.from({ length: 25 }, (_, i) =>
  i < 15 ? `/batch/app/p${i}` : `/batch/app/sub/p${i}`,
);
const SECRETS = Array.from({ length: 22 }, (_, i) => `batch/s${i}`);
const seededValue = (name: string) => `value-of-${name}`;

let proxy: CountingProxy;
const extensions = extensionsAgainst(() => proxy.url);
const extensionWith = extensions.start;

const read = (extension: ExtensionProcess, path: string) => getWithToken(`${extension.baseUrl}${path}`);
const parameters = (extension: ExtensionProcess, names: readonly string[], extra = '') =>
  read(extension, `/systemsmanager/parameters/getparameters?names=${names.join(',')}${extra}`);
const secrets = (extension: ExtensionProcess, ids: readonly string[]) =>
  read(extension, `/secretsmanager/batchget?secretIds=${ids.join(',')}`);
const byPath = (extension: ExtensionProcess, query: string) =>
  read(extension, `/systemsmanager/parameters/getbypath?${query}`);

/** Calls of each operation made while `action` ran. */
async function callsDuring(action: () => Promise<unknown>): Promise<Record<string, number>> {
  const operations = [
    'GetParameter',
    'GetParameters',
    'GetParametersByPath',
    'GetSecretValue',
    'BatchGetSecretValue',
  ];
  const before = operations.map((operation) => proxy.count(operation));
  await action();
  return Object.fromEntries(
    operations
      .map((operation, i) => [operation, proxy.count(operation) - (before[i] ?? 0)] as const)
      .filter(([, calls]) => calls > 0),
  );
}

async function seed(): Promise<void> {
  const ssm = motoSsm();
  for (const name of PARAMETER_NAMES) {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: seededValue(name),
        Type: name === '/batch/app/p3' ? 'SecureString' : 'String',
        Overwrite: true,
      }),
    );
  }
  const sm = motoSecretsManager();
  for (const id of SECRETS) {
    await sm
      .send(new CreateSecretCommand({ Name: id, SecretString: seededValue(id) }))
      .catch((error: unknown) => {
        if ((error as Error).name !== 'ResourceExistsException') throw error;
      });
  }
}

beforeAll(async () => {
  await resetMoto();
  await seed();
  proxy = await startCountingProxy(MOTO_ENDPOINT);
});

beforeEach(() => {
  proxy.setDelay(0);
  proxy.failNext('GetParameters', 0, '');
  proxy.failNext('BatchGetSecretValue', 0, '');
});

afterAll(async () => {
  await extensions.stopAll();
  await proxy?.close();
});

describe('GET /systemsmanager/parameters/getparameters', () => {
  it('answers in the order asked, lists unknown names, and warms single reads (none, then all cached)', async () => {
    const extension = await extensionWith();
    const asked = [
      PARAMETER_NAMES[7],
      '/batch/nope',
      PARAMETER_NAMES[0],
      PARAMETER_NAMES[20],
      PARAMETER_NAMES[1],
    ] as string[];
    let answer = await parameters(extension, asked);
    const cold = await callsDuring(async () => {
      answer = await parameters(await extensionWith(), asked);
    });

    expect(cold).toEqual({ GetParameters: 1 });
    expect(answer.status).toBe(200);
    const body = answer.json<ParametersBody>();
    expect(body.Parameters.map((parameter) => parameter.Name)).toEqual(
      asked.filter((n) => n !== '/batch/nope'),
    );
    expect(body.Parameters.map((parameter) => parameter.Value)).toEqual(
      asked.filter((n) => n !== '/batch/nope').map(seededValue),
    );
    expect(body.InvalidParameters).toEqual(['/batch/nope']);
    expect(body.Errors).toEqual([]);
    expect(body.ResultMetadata).toEqual({});

    const warm = await callsDuring(async () => {
      const again = await parameters(
        extension,
        asked.filter((n) => n !== '/batch/nope'),
      );
      expect(again.json<ParametersBody>().Parameters).toEqual(body.Parameters);
      const single = await read(extension, `/systemsmanager/parameters/get?name=${PARAMETER_NAMES[20]}`);
      expect(single.json<{ Parameter: Parameter }>().Parameter).toEqual(body.Parameters[2]);
    });
    expect(warm).toEqual({});
  });

  it('fetches only what is not cached (some cached), 10 names per call (over the limit)', async () => {
    const extension = await extensionWith();
    await read(extension, `/systemsmanager/parameters/get?name=${PARAMETER_NAMES[0]}`);
    await read(extension, `/systemsmanager/parameters/get?name=${PARAMETER_NAMES[1]}`);

    // 25 names, 2 cached: 23 to fetch, 3 GetParameters calls.
    let body: ParametersBody | undefined;
    const calls = await callsDuring(async () => {
      body = (await parameters(extension, PARAMETER_NAMES, '&withDecryption=true')).json<ParametersBody>();
    });

    // The two single reads were without decryption: different keys, so all 25 are fetched.
    expect(calls).toEqual({ GetParameters: 3 });
    expect(body?.Parameters).toHaveLength(25);
    expect(body?.Parameters[3]?.Value).toBe(seededValue('/batch/app/p3'));

    await read(extension, `/systemsmanager/parameters/get?name=${PARAMETER_NAMES[5]}`);
    const some = await callsDuring(() => parameters(extension, PARAMETER_NAMES.slice(0, 12)));
    // Without decryption: p0, p1, p5 cached, 9 to fetch: one call.
    expect(some).toEqual({ GetParameters: 1 });
  });

  it('keeps decrypted and encrypted SecureString values apart, as single reads do', async () => {
    const extension = await extensionWith();
    const encrypted = (await parameters(extension, ['/batch/app/p3'])).json<ParametersBody>();
    const decrypted = (
      await parameters(extension, ['/batch/app/p3'], '&withDecryption=true')
    ).json<ParametersBody>();
    expect(encrypted.Parameters[0]?.Value).not.toBe(seededValue('/batch/app/p3'));
    expect(decrypted.Parameters[0]?.Value).toBe(seededValue('/batch/app/p3'));
  });

  it('answers a partial failure with what it read, names what failed, and caches nothing that failed', async () => {
    const extension = await extensionWith();
    const asked = PARAMETER_NAMES.slice(0, 15);
    proxy.failNext('GetParameters', 1, 'AccessDeniedException');

    const body = (await parameters(extension, asked)).json<ParametersBody>();
    expect(body.Parameters.length + body.Errors.length).toBe(15);
    // One call of the two failed as a whole: its 10 or 5 names.
    expect([5, 10]).toContain(body.Errors.length);
    expect(body.Errors[0]).toMatchObject({ ErrorCode: 'AccessDeniedException' });
    expect(asked).toContain(body.Errors[0]?.Name);

    const retry = await callsDuring(async () => {
      const again = (await parameters(extension, asked)).json<ParametersBody>();
      expect(again.Parameters).toHaveLength(15);
      expect(again.Errors).toEqual([]);
    });
    expect(retry).toEqual({ GetParameters: 1 });
  });

  it('answers a batch of which nothing could be read like a failed single read', async () => {
    const extension = await extensionWith();
    proxy.failNext('GetParameters', 1, 'AccessDeniedException');
    const answer = await parameters(extension, PARAMETER_NAMES.slice(0, 3));
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.json()).toEqual({
      __type: 'AccessDeniedException',
      message: 'injected AccessDeniedException',
    });
  });

  it('applies the single reads rules: token, X-Forwarded-For, empty items, too many items, length', async () => {
    const extension = await extensionWith();
    const url = `${extension.baseUrl}/systemsmanager/parameters/getparameters`;
    expect((await get(`${url}?names=/a`)).status).toBe(401);
    expect(
      (
        await get(`${url}?names=/a`, {
          'X-Aws-Parameters-Secrets-Token': TEST_TOKEN,
          'X-Forwarded-For': '1.2.3.4',
        })
      ).status,
    ).toBe(400);
    const missing = await getWithToken(url);
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ __type: 'MissingParameter' });
    expect((await getWithToken(`${url}?names=/a,,/b`)).json()).toMatchObject({ __type: 'InvalidParameter' });
    const many = Array.from({ length: 51 }, (_, i) => `/n${i}`).join(',');
    expect((await getWithToken(`${url}?names=${many}`)).status).toBe(400);
    expect((await getWithToken(`${url}?names=/${'x'.repeat(2048)}`)).status).toBe(400);
    expect((await getWithToken(`${url}?names=/a&withDecryption=maybe`)).status).toBe(400);
  });
});

describe('GET /systemsmanager/parameters/getbypath', () => {
  it('merges every page into one answer, caches it whole, and warms single reads', async () => {
    const extension = await extensionWith();
    let body: ParametersBody | undefined;
    const cold = await callsDuring(async () => {
      body = (
        await byPath(extension, 'path=/batch/app/&recursive=true&withDecryption=true')
      ).json<ParametersBody>();
    });
    // 25 parameters, pages of at most 10: three pages.
    expect(cold).toEqual({ GetParametersByPath: 3 });
    expect(body?.Parameters.map((parameter) => parameter.Name).sort()).toEqual([...PARAMETER_NAMES].sort());
    expect(Object.keys(body ?? {})).toEqual(['Parameters', 'ResultMetadata']);

    const warm = await callsDuring(async () => {
      await byPath(extension, 'path=/batch/app/&recursive=true&withDecryption=true');
      const single = await read(
        extension,
        `/systemsmanager/parameters/get?name=${PARAMETER_NAMES[22]}&withDecryption=true`,
      );
      expect(single.json<{ Parameter: Parameter }>().Parameter.Value).toBe(
        seededValue(PARAMETER_NAMES[22] as string),
      );
    });
    expect(warm).toEqual({});
  });

  it('keys the answer by path, recursion and decryption', async () => {
    const extension = await extensionWith();
    const direct = (await byPath(extension, 'path=/batch/app/')).json<ParametersBody>();
    expect(direct.Parameters.map((parameter) => parameter.Name).sort()).toEqual(
      PARAMETER_NAMES.slice(0, 15).sort(),
    );
    const calls = await callsDuring(() => byPath(extension, 'path=/batch/app/&recursive=true'));
    expect(calls).toEqual({ GetParametersByPath: 3 });
  });

  it('requires a path, answers errors from SSM in the JSON shape, and caches no failure', async () => {
    const extension = await extensionWith();
    expect((await byPath(extension, 'recursive=true')).json()).toMatchObject({ __type: 'MissingParameter' });
    proxy.failNext('GetParametersByPath', 1, 'AccessDeniedException');
    const denied = await byPath(extension, 'path=/batch/app/');
    expect(denied.status).toBe(400);
    expect(denied.json()).toEqual({
      __type: 'AccessDeniedException',
      message: 'injected AccessDeniedException',
    });
    // Nothing that failed was cached: the next read goes to SSM and succeeds.
    expect((await byPath(extension, 'path=/batch/app/')).json<ParametersBody>().Parameters).toHaveLength(15);
  });
});

describe('GET /systemsmanager/parameters/getbypath beyond its bound', () => {
  it('answers 400 TooManyParameters for more than 500 parameters, never a cut list', async () => {
    const ssm = motoSsm();
    const names = Array.from({ length: 501 }, (_, i) => `/batch/big/p${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names
          .slice(i, i + 50)
          .map((name) =>
            ssm.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String', Overwrite: true })),
          ),
      );
    }
    const extension = await extensionWith();
    let answer: Awaited<ReturnType<typeof byPath>> | undefined;
    const calls = await callsDuring(async () => {
      answer = await byPath(extension, 'path=/batch/big/');
    });
    expect(answer?.status).toBe(400);
    expect(answer?.json()).toMatchObject({ __type: 'TooManyParameters' });
    // It stops at the page that crosses the bound: 51 pages of 10.
    expect(calls).toEqual({ GetParametersByPath: 51 });
  });
});

describe('GET /secretsmanager/batchget', () => {
  it('answers SecretValues in the order asked and Errors, and warms single reads', async () => {
    const extension = await extensionWith();
    const asked = [SECRETS[4], 'batch/nope', SECRETS[0]] as string[];
    let body: SecretsBody | undefined;
    const cold = await callsDuring(async () => {
      body = (await secrets(extension, asked)).json<SecretsBody>();
    });
    expect(cold).toEqual({ BatchGetSecretValue: 1 });
    expect(body?.SecretValues.map((secret) => secret.SecretString)).toEqual(
      [SECRETS[4], SECRETS[0]].map((id) => seededValue(id as string)),
    );
    expect(body?.Errors).toEqual([
      { ErrorCode: 'ResourceNotFoundException', Message: expect.any(String), SecretId: 'batch/nope' },
    ]);

    const warm = await callsDuring(async () => {
      await secrets(extension, [SECRETS[0] as string, SECRETS[4] as string]);
      const single = await read(extension, `/secretsmanager/get?secretId=${SECRETS[4]}`);
      expect(single.json<{ SecretString: string }>().SecretString).toBe(seededValue(SECRETS[4] as string));
    });
    expect(warm).toEqual({});
  });

  it('fetches only what is not cached, 20 ids per call', async () => {
    const extension = await extensionWith();
    await read(extension, `/secretsmanager/get?secretId=${SECRETS[0]}`);
    const calls = await callsDuring(async () => {
      const body = (await secrets(extension, SECRETS)).json<SecretsBody>();
      expect(body.SecretValues).toHaveLength(22);
      expect(body.Errors).toEqual([]);
    });
    // 21 to fetch: two calls.
    expect(calls).toEqual({ BatchGetSecretValue: 2 });
  });

  it('answers a partial failure with what it read and retries only what failed', async () => {
    const extension = await extensionWith();
    proxy.failNext('BatchGetSecretValue', 1, 'DecryptionFailure');
    const body = (await secrets(extension, SECRETS)).json<SecretsBody>();
    expect(body.SecretValues.length + body.Errors.length).toBe(22);
    expect([2, 20]).toContain(body.Errors.length);
    expect(body.Errors[0]?.ErrorCode).toBe('DecryptionFailure');
    const retry = await callsDuring(async () => {
      expect((await secrets(extension, SECRETS)).json<SecretsBody>().SecretValues).toHaveLength(22);
    });
    expect(retry).toEqual({ BatchGetSecretValue: 1 });
  });

  it('reads one by one the ids a role without BatchGetSecretValue is denied', async () => {
    const extension = await extensionWith();
    proxy.failNext('BatchGetSecretValue', 1, 'AccessDeniedException');
    let body: SecretsBody | undefined;
    const calls = await callsDuring(async () => {
      body = (await secrets(extension, SECRETS)).json<SecretsBody>();
    });
    expect(body?.SecretValues).toHaveLength(22);
    expect(body?.Errors).toEqual([]);
    // Two batch calls (22 ids), one of them denied: its 20 or 2 ids are read alone.
    expect(calls.BatchGetSecretValue).toBe(2);
    expect([2, 20]).toContain(calls.GetSecretValue);
  });
});

describe('batched prefetch at INIT', () => {
  async function prefetched(
    env: Record<string, string>,
    lines: readonly string[],
  ): Promise<ExtensionProcess> {
    const extension = await extensionWith(env);
    // Ready (ping) does not wait for the prefetch; wait until its log lines are out.
    const deadline = Date.now() + 10_000;
    while (!lines.every((line) => extension.output().includes(line)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const line of lines) expect(extension.output()).toContain(line);
    return extension;
  }

  it('reads 25 parameters and 10 secrets with 3 + 1 backend calls, then serves them all as hits', async () => {
    let extension: ExtensionProcess | undefined;
    const init = await callsDuring(async () => {
      extension = await prefetched(
        {
          PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS: PARAMETER_NAMES.join(','),
          PARAMETERS_SECRETS_EXTENSION_PREFETCH_SECRETS: SECRETS.slice(0, 10).join(','),
        },
        ['Prefetched 25 of 25 parameters.', 'Prefetched 10 of 10 secrets.'],
      );
    });
    expect(init).toEqual({ GetParameters: 3, BatchGetSecretValue: 1 });

    const invokes = await callsDuring(async () => {
      for (const name of PARAMETER_NAMES) {
        const answer = await read(
          extension as ExtensionProcess,
          `/systemsmanager/parameters/get?name=${name}&withDecryption=true`,
        );
        expect(answer.json<{ Parameter: Parameter }>().Parameter.Value).toBe(seededValue(name));
      }
      for (const id of SECRETS.slice(0, 10)) {
        expect((await read(extension as ExtensionProcess, `/secretsmanager/get?secretId=${id}`)).status).toBe(
          200,
        );
      }
      // A batch of what was prefetched is a hit too.
      expect(
        (
          await parameters(
            extension as ExtensionProcess,
            PARAMETER_NAMES.slice(0, 20),
            '&withDecryption=true',
          )
        ).status,
      ).toBe(200);
    });
    expect(invokes).toEqual({});
  });

  it('prefetches a hierarchy (a name ending in /) with GetParametersByPath, every page', async () => {
    let extension: ExtensionProcess | undefined;
    const init = await callsDuring(async () => {
      extension = await prefetched({ PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS: '/batch/app/' }, [
        'Prefetched 25 parameters under "/batch/app/".',
      ]);
    });
    expect(init).toEqual({ GetParametersByPath: 3 });
    const invokes = await callsDuring(async () => {
      // Not a SecureString: served under both keys.
      await read(extension as ExtensionProcess, `/systemsmanager/parameters/get?name=${PARAMETER_NAMES[20]}`);
      await read(
        extension as ExtensionProcess,
        `/systemsmanager/parameters/get?name=/batch/app/p3&withDecryption=true`,
      );
    });
    expect(invokes).toEqual({});
  });
});
