/**
 * Secrets Manager reads through the built extension (real process) against moto.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, resetMoto } from '../helpers/moto.js';

interface SecretBody {
  ARN: string;
  CreatedDate: string;
  Name: string;
  SecretBinary: string | null;
  SecretString: string | null;
  VersionId: string;
  VersionStages: string[];
  ResultMetadata: Record<string, unknown>;
}

const FIRST = 'first-secret-value-31';
const SECOND = 'second-secret-value-32';
const BINARY = Buffer.from([0, 1, 2, 250, 251, 255]);

let extension: ExtensionProcess;
let secretArn: string;
let firstVersionId: string;

beforeAll(async () => {
  await resetMoto();
  const sm = motoSecretsManager();
  const created = await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: FIRST }));
  secretArn = created.ARN ?? '';
  firstVersionId = created.VersionId ?? '';
  await sm.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: SECOND }));
  await sm.send(new CreateSecretCommand({ Name: 'app/binary', SecretBinary: BINARY }));
  extension = await startExtension({
    port: await freePort(),
    env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, AWS_SESSION_TOKEN: TEST_TOKEN },
  });
});

afterAll(async () => {
  await extension?.stop();
});

const read = (query: string) => getWithToken(`${extension.baseUrl}/secretsmanager/get?${query}`);

describe('GET /secretsmanager/get', () => {
  it('returns the current string secret with every field, in order, as text/plain', async () => {
    const answer = await read('secretId=app%2Fdb');

    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    const body = answer.json<SecretBody>();
    expect(Object.keys(body)).toEqual([
      'ARN',
      'CreatedDate',
      'Name',
      'SecretBinary',
      'SecretString',
      'VersionId',
      'VersionStages',
      'ResultMetadata',
    ]);
    expect(body).toMatchObject({
      Name: 'app/db',
      SecretString: SECOND,
      SecretBinary: null,
      ResultMetadata: {},
    });
    expect(body.VersionStages).toContain('AWSCURRENT');
    expect(body.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/);
  });

  it('reads by full ARN, raw and encoded', async () => {
    const raw = await read(`secretId=${secretArn}`);
    const encoded = await read(`secretId=${encodeURIComponent(secretArn)}`);

    expect(raw.json<SecretBody>().SecretString).toBe(SECOND);
    expect(encoded.text).toBe(raw.text);
  });

  it('returns the previous value for versionStage=AWSPREVIOUS, and a version by versionId', async () => {
    const previous = (await read('secretId=app/db&versionStage=AWSPREVIOUS')).json<SecretBody>();
    const byId = (await read(`secretId=app/db&versionId=${firstVersionId}`)).json<SecretBody>();

    expect(previous.SecretString).toBe(FIRST);
    expect(previous.VersionStages).toContain('AWSPREVIOUS');
    expect(byId.SecretString).toBe(FIRST);
  });

  it('returns a binary secret as standard base64 with SecretString null', async () => {
    const body = (await read('secretId=app/binary')).json<SecretBody>();

    expect(body.SecretString).toBeNull();
    expect(body.SecretBinary).toBe(BINARY.toString('base64'));
  });

  it('answers 400 naming ResourceNotFoundException for a missing secret or stage', async () => {
    const missing = await read('secretId=app/none');
    const badStage = await read('secretId=app/db&versionStage=NOSUCHSTAGE');

    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ __type: 'ResourceNotFoundException' });
    expect(badStage.status).toBe(400);
    expect(missing.text).not.toContain(FIRST);
  });

  it('refuses X-Forwarded-For and over-long ids with 400', async () => {
    const forwarded = await fetch(`${extension.baseUrl}/secretsmanager/get?secretId=app/db`, {
      headers: { 'X-Aws-Parameters-Secrets-Token': TEST_TOKEN, 'X-Forwarded-For': '203.0.113.9' },
    });
    const long = await read(`secretId=${'s'.repeat(2049)}`);

    expect(forwarded.status).toBe(400);
    expect(await forwarded.text()).not.toContain(SECOND);
    expect(long.status).toBe(400);
    expect(long.json()).toMatchObject({ __type: 'InvalidParameter' });
  });

  it('never writes a secret value or the token to its log', async () => {
    const log = extension.output();
    for (const secret of [FIRST, SECOND, BINARY.toString('base64'), TEST_TOKEN])
      expect(log).not.toContain(secret);
    expect(log).toContain('ResourceNotFoundException');
  });
});
