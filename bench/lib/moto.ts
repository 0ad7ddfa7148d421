/**
 * The bench's data in moto (the lab's, 127.0.0.1:5055 unless MOTO_ENDPOINT says otherwise): 500
 * parameters and 500 secrets (1,000 distinct cache entries, the extension's maximum cache size) and
 * the two values the example function reads. Other helpers' tests reset moto, so `ensureFixtures`
 * checks and re-creates before every section that reads them; the bench itself never resets moto.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

export const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT ?? 'http://127.0.0.1:5055';
export const FIXTURE_COUNT = 500;
export const EXAMPLE_PARAMETER = '/bench/example/greeting';
export const EXAMPLE_SECRET = 'bench/example/api-key';

/** The environment an AWS client (the extension, the SDK load generator) needs to reach moto. */
export const AWS_ENV: Record<string, string> = {
  AWS_ENDPOINT_URL: MOTO_ENDPOINT,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
};

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

const clientConfig = {
  endpoint: MOTO_ENDPOINT,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};

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
  const ssm = new SSMClient(clientConfig);
  const secrets = new SecretsManagerClient(clientConfig);
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
