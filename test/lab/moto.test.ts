import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';

// moto accepts any credentials; these are fake on purpose. Names are unique per run, and nothing is
// reset, so other suites using the same moto at the same time keep their state.
const endpoint = process.env.MOTO_ENDPOINT ?? 'http://127.0.0.1:5055';
const clientConfig = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'lab-test-key', secretAccessKey: 'lab-test-secret' },
};
const runId = randomUUID();

describe('moto as SSM Parameter Store', () => {
  const ssm = new SSMClient(clientConfig);
  const name = `/lab-test/${runId}/greeting`;
  afterAll(async () => {
    await ssm.send(new DeleteParameterCommand({ Name: name })).catch(() => undefined);
    ssm.destroy();
  });

  it('stores a SecureString with PutParameter and returns it decrypted with GetParameter', async () => {
    const value = `hello ${runId}`;
    const put = await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
    expect(put.Version).toBe(1);
    const got = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    expect(got.Parameter?.Value).toBe(value);
    expect(got.Parameter?.Type).toBe('SecureString');
  });
});

describe('moto as Secrets Manager', () => {
  const secrets = new SecretsManagerClient(clientConfig);
  const name = `lab-test/${runId}/db`;
  afterAll(async () => {
    await secrets
      .send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }))
      .catch(() => undefined);
    secrets.destroy();
  });

  it('stores a secret with CreateSecret and returns it with GetSecretValue', async () => {
    const secretString = JSON.stringify({ user: 'lab', password: runId });
    const created = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: secretString }));
    expect(created.ARN).toContain(':secret:lab-test/');
    const got = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    expect(got.SecretString).toBe(secretString);
    expect(got.VersionStages).toContain('AWSCURRENT');
  });
});
