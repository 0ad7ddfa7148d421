/**
 * GET /metrics and the EMF lines of the built extension (a real process) against moto: the counters
 * move as reads happen, the EMF line at shutdown is valid EMF, and neither holds a value, a name or
 * the token.
 */

import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emfProblems } from '../helpers/emf-spec.js';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { get, getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';

const SECRET_VALUE = 'metrics-secret-value-6d1f';
const SECRET_NAME = 'metrics/hidden-part-93ab';
const PARAMETER_NAME = '/metrics/hidden-part-17cd';
const running: ExtensionProcess[] = [];

async function extensionWith(env: Record<string, string> = {}): Promise<ExtensionProcess> {
  const extension = await startExtension({
    port: await freePort(),
    env: {
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL: MOTO_ENDPOINT,
      AWS_SESSION_TOKEN: TEST_TOKEN,
      AWS_LAMBDA_FUNCTION_NAME: 'metrics-function',
      ...env,
    },
  });
  running.push(extension);
  return extension;
}

/** Reads that make every counter we can cause here move: hits, misses, a backend error. */
async function traffic(extension: ExtensionProcess): Promise<void> {
  for (let i = 0; i < 3; i++) {
    expect(
      (await getWithToken(`${extension.baseUrl}/secretsmanager/get?secretId=${SECRET_NAME}`)).status,
    ).toBe(200);
    await getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get?name=${PARAMETER_NAME}`);
  }
  expect(
    (await getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get?name=/metrics/nope`)).status,
  ).toBe(400);
  await getWithToken(`${extension.baseUrl}/secretsmanager/batchget?secretIds=${SECRET_NAME},metrics/nope`);
}

interface Snapshot {
  cache: Record<string, number>;
  backends: Record<
    string,
    {
      calls: number;
      errors: number;
      errorsByCode: Record<string, number>;
      latencyMs: { p50: number; p99: number; max: number } | null;
    }
  >;
}

beforeAll(async () => {
  await resetMoto();
  await motoSsm().send(
    new PutParameterCommand({
      Name: PARAMETER_NAME,
      Value: SECRET_VALUE,
      Type: 'SecureString',
      Overwrite: true,
    }),
  );
  await motoSecretsManager()
    .send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: SECRET_VALUE }))
    .catch((error: unknown) => {
      if ((error as Error).name !== 'ResourceExistsException') throw error;
    });
});

afterAll(async () => {
  await Promise.all(running.map((extension) => extension.stop()));
});

describe('GET /metrics', () => {
  it('needs the token and answers the counters as JSON', async () => {
    const extension = await extensionWith();
    expect((await get(`${extension.baseUrl}/metrics`)).status).toBe(401);

    await traffic(extension);
    const answer = await getWithToken(`${extension.baseUrl}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    const snapshot = answer.json<Snapshot>();
    expect(snapshot.cache).toMatchObject({ hits: 5, misses: 4 });
    expect(snapshot.backends.secretsManager).toMatchObject({ calls: 2 });
    expect(snapshot.backends.ssm).toMatchObject({
      calls: 2,
      errors: 1,
      errorsByCode: { ParameterNotFound: 1 },
    });
    expect(snapshot.backends.ssm?.latencyMs?.max).toBeGreaterThan(0);

    for (const secret of [SECRET_VALUE, 'hidden-part', TEST_TOKEN]) expect(answer.text).not.toContain(secret);
  });
});

describe('EMF (PARAMETERS_SECRETS_EXTENSION_METRICS_EMF)', () => {
  it('writes one valid EMF line at shutdown, with nothing secret in it', async () => {
    const extension = await extensionWith({ PARAMETERS_SECRETS_EXTENSION_METRICS_EMF: 'true' });
    await traffic(extension);
    await extension.stop();

    const lines = extension
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines).toHaveLength(1);
    const line = lines[0] as string;
    expect(emfProblems(line)).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'ParametersSecretsExtension', Dimensions: [['FunctionName']] }],
      },
      FunctionName: 'metrics-function',
      CacheHits: 5,
      SsmBackendErrors: 1,
    });
    for (const secret of [SECRET_VALUE, 'hidden-part', TEST_TOKEN])
      expect(extension.output()).not.toContain(secret);
  });

  it('writes no EMF line unless asked', async () => {
    const extension = await extensionWith();
    await traffic(extension);
    await extension.stop();
    expect(extension.output()).not.toContain('"_aws"');
  });
});
