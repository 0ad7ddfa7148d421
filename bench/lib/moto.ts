/**
 * The bench's moto and its data: 500 parameters and 500 secrets (1,000 distinct cache entries, the
 * extension's maximum cache size) and the two values the example function reads.
 *
 * The lab's moto (127.0.0.1:5055) is shared by every test suite, and they reset it every few seconds
 * while they run: a bench run against it loses its data mid-section and measures other suites' load.
 * So the bench starts a moto of its own (the lab's pinned install, from the lab's venv) on a free
 * loopback port for the run, unless MOTO_ENDPOINT names one to use. `ensureFixtures` still checks
 * and re-creates the data before every section that reads it; the bench never resets any moto.
 */

import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startPrivateMoto } from '../../test/helpers/moto.js';

/** Where the bench's AWS calls go; set by startMoto. */
let endpoint = process.env.MOTO_ENDPOINT ?? '';
export const motoEndpoint = (): string => endpoint;
export const FIXTURE_COUNT = 500;
export const EXAMPLE_PARAMETER = '/bench/example/greeting';
export const EXAMPLE_SECRET = 'bench/example/api-key';

/** The environment an AWS client (the extension, the SDK load generator) needs to reach moto. */
export const awsEnv = (): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
});

/**
 * Starts the bench's own moto (unless MOTO_ENDPOINT is set) and resolves once it answers; the
 * returned function stops it.
 */
export async function startMoto(): Promise<() => Promise<void>> {
  if (endpoint !== '') return async () => undefined;
  const moto = await startPrivateMoto();
  endpoint = moto.endpoint;
  return () => moto.stop();
}

export const parameterName = (i: number): string => `/bench/p/${String(i).padStart(4, '0')}`;
export const secretId = (i: number): string => `bench/s/${String(i).padStart(4, '0')}`;

/** Typical sizes: a 64-character parameter, a ~200-byte JSON secret. */
const parameterValue = (i: number): string => `value-${String(i).padStart(4, '0')}-${'x'.repeat(53)}`;
const secretValue = (i: number): string =>
  JSON.stringify({
    username: `user-${i}`,
    password: 'p'.repeat(40),
    host: 'db.example.internal',
    port: 5432,
    dbname: 'app',
  });

const clientConfig = () => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

async function inBatches(count: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + width); i++) batch.push(work(i));
    await Promise.all(batch);
  }
}

async function exists(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

export async function ensureFixtures(): Promise<void> {
  const ssm = new SSMClient(clientConfig());
  const secrets = new SecretsManagerClient(clientConfig());
  try {
    const last = FIXTURE_COUNT - 1;
    const present = await Promise.all([
      exists(() => ssm.send(new GetParameterCommand({ Name: parameterName(last) }))),
      exists(() => ssm.send(new GetParameterCommand({ Name: EXAMPLE_PARAMETER }))),
      exists(() => secrets.send(new GetSecretValueCommand({ SecretId: secretId(last) }))),
      exists(() => secrets.send(new GetSecretValueCommand({ SecretId: EXAMPLE_SECRET }))),
    ]);
    if (present.every(Boolean)) return;
    const putSecret = async (id: string, value: string): Promise<void> => {
      try {
        await secrets.send(new CreateSecretCommand({ Name: id, SecretString: value }));
      } catch {
        await secrets.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
      }
    };
    await inBatches(FIXTURE_COUNT, 8, (i) =>
      ssm.send(
        new PutParameterCommand({
          Name: parameterName(i),
          Value: parameterValue(i),
          Type: 'String',
          Overwrite: true,
        }),
      ),
    );
    await inBatches(FIXTURE_COUNT, 8, (i) => putSecret(secretId(i), secretValue(i)));
    await ssm.send(
      new PutParameterCommand({
        Name: EXAMPLE_PARAMETER,
        Value: 'hello from the bench',
        Type: 'String',
        Overwrite: true,
      }),
    );
    await putSecret(EXAMPLE_SECRET, 'bench-api-key-0123456789');
  } finally {
    ssm.destroy();
    secrets.destroy();
  }
}

/**
 * Runs `measure` with the fixtures in place; if it fails (another helper's test may reset moto
 * between our check and our reads), re-creates them and tries once more.
 */
export async function withFixtures<T>(measure: () => Promise<T>): Promise<T> {
  await ensureFixtures();
  try {
    return await measure();
  } catch (error) {
    process.stderr.write(`bench: retrying once after: ${(error as Error).message.split('\n')[0]}\n`);
    await ensureFixtures();
    return measure();
  }
}
