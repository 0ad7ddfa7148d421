import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** What a test function reads through the extension, and the values it must get back. */
export interface SeededData {
  readonly stringParameter: { readonly name: string; readonly value: string };
  readonly secureParameter: { readonly name: string; readonly value: string };
  readonly secretString: { readonly id: string; readonly value: string };
  readonly secretBinary: { readonly id: string; readonly base64: string };
}

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test', sessionToken: 'seed' },
});

/** Creates one parameter and secret of each kind in moto under names unique to `prefix`. */
export async function seedAwsData(endpoint: string, prefix: string): Promise<SeededData> {
  const ssm = new SSMClient(clientConfig(endpoint));
  const secrets = new SecretsManagerClient(clientConfig(endpoint));
  const data: SeededData = {
    stringParameter: { name: `/images-test/${prefix}/greeting`, value: `hello from ${prefix}` },
    secureParameter: {
      name: `/images-test/${prefix}/password`,
      value: `p4ss-${randomBytes(6).toString('hex')}`,
    },
    secretString: {
      id: `images-test/${prefix}/api-key`,
      value: JSON.stringify({ key: randomBytes(8).toString('hex') }),
    },
    secretBinary: { id: `images-test/${prefix}/certificate`, base64: randomBytes(48).toString('base64') },
  };
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: data.stringParameter.name,
        Value: data.stringParameter.value,
        Type: 'String',
      }),
    );
    await ssm.send(
      new PutParameterCommand({
        Name: data.secureParameter.name,
        Value: data.secureParameter.value,
        Type: 'SecureString',
      }),
    );
    await secrets.send(
      new CreateSecretCommand({ Name: data.secretString.id, SecretString: data.secretString.value }),
    );
    await secrets.send(
      new CreateSecretCommand({
        Name: data.secretBinary.id,
        SecretBinary: Buffer.from(data.secretBinary.base64, 'base64'),
      }),
    );
  } finally {
    ssm.destroy();
    secrets.destroy();
  }
  return data;
}

/** The environment that tells the test function (fixtures/function) what to read. */
export const functionEnvironment = (data: SeededData): Record<string, string> => ({
  TEST_STRING_PARAMETER: data.stringParameter.name,
  TEST_SECURE_PARAMETER: data.secureParameter.name,
  TEST_SECRET_STRING: data.secretString.id,
  TEST_SECRET_BINARY: data.secretBinary.id,
});

/** A parameter and a secret for examples/index.mjs (PARAMETER_NAME, SECRET_ID). */
export async function seedExampleData(
  endpoint: string,
  prefix: string,
): Promise<{ parameterName: string; parameterValue: string; secretId: string; secretLength: number }> {
  const data = await seedAwsData(endpoint, `${prefix}-example`);
  return {
    parameterName: data.stringParameter.name,
    parameterValue: data.stringParameter.value,
    secretId: data.secretString.id,
    secretLength: data.secretString.value.length,
  };
}
