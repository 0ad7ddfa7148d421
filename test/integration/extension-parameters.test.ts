/**
 * Parameter Store reads through the built extension (real process) against moto.
 */

import { createServer } from 'node:net';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { LabelParameterVersionCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';

const PARAM_PATH = '/systemsmanager/parameters/get';

/** Whether this machine has an IPv6 loopback at all (then the extension must listen there too). */
function canListenOnIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

interface ParameterBody {
  Parameter: Record<string, unknown>;
  ResultMetadata: Record<string, unknown>;
}

let extension: ExtensionProcess;

beforeAll(async () => {
  await resetMoto();
  const ssm = motoSsm();
  await ssm.send(new PutParameterCommand({ Name: '/app/plain', Value: 'plain-value-1', Type: 'String' }));
  await ssm.send(
    new PutParameterCommand({ Name: '/app/plain', Value: 'plain-value-2', Type: 'String', Overwrite: true }),
  );
  await ssm.send(
    new LabelParameterVersionCommand({ Name: '/app/plain', ParameterVersion: 1, Labels: ['Dev'] }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/app/list', Value: 'a,b,c', Type: 'StringList' }));
  await ssm.send(
    new PutParameterCommand({ Name: '/app/secure', Value: 'secure-plaintext-77', Type: 'SecureString' }),
  );
  await ssm.send(new PutParameterCommand({ Name: 'flat', Value: 'flat-value', Type: 'String' }));
  await motoSecretsManager().send(
    new CreateSecretCommand({ Name: 'ref-secret', SecretString: 'ref-secret-value-99' }),
  );
  extension = await startExtension({
    port: await freePort(),
    env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, AWS_SESSION_TOKEN: TEST_TOKEN },
  });
});

afterAll(async () => {
  await extension?.stop();
});

const read = (query: string) => getWithToken(`${extension.baseUrl}${PARAM_PATH}?${query}`);

describe('GET /systemsmanager/parameters/get', () => {
  it('returns a String parameter in the shape of AWS extension, as text/plain', async () => {
    const answer = await read('name=%2Fapp%2Fplain');

    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    const body = answer.json<ParameterBody>();
    expect(Object.keys(body)).toEqual(['Parameter', 'ResultMetadata']);
    expect(Object.keys(body.Parameter)).toEqual([
      'ARN',
      'DataType',
      'LastModifiedDate',
      'Name',
      'Selector',
      'SourceResult',
      'Type',
      'Value',
      'Version',
    ]);
    expect(body.Parameter).toMatchObject({
      ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/plain',
      Name: '/app/plain',
      Type: 'String',
      Value: 'plain-value-2',
      Version: 2,
      SourceResult: null,
    });
    expect(body.Parameter.LastModifiedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/);
    expect(body.ResultMetadata).toEqual({});
  });

  it('accepts raw and percent-encoded slashes, with or without a trailing slash, with the same body', async () => {
    const encoded = await read('name=%2Fapp%2Fplain');
    const raw = await read('name=/app/plain');
    const trailing = await getWithToken(`${extension.baseUrl}${PARAM_PATH}/?name=/app/plain`);

    expect(raw.status).toBe(200);
    expect(raw.text).toBe(encoded.text);
    expect(trailing.text).toBe(encoded.text);
  });

  it('returns a StringList as the comma-joined string', async () => {
    const body = (await read('name=/app/list')).json<ParameterBody>();
    expect(body.Parameter).toMatchObject({ Type: 'StringList', Value: 'a,b,c' });
  });

  it('returns a SecureString encrypted without withDecryption and in plain text with it', async () => {
    const encrypted = (await read('name=/app/secure')).json<ParameterBody>();
    const decrypted = (await read('name=/app/secure&withDecryption=true')).json<ParameterBody>();

    expect(encrypted.Parameter.Type).toBe('SecureString');
    expect(encrypted.Parameter.Value).not.toBe('secure-plaintext-77');
    expect(decrypted.Parameter.Value).toBe('secure-plaintext-77');
  });

  it('reads a version and a label, sending them to SSM as name:selector', async () => {
    const byVersion = (await read('name=/app/plain&version=1')).json<ParameterBody>();
    const byLabel = (await read('name=/app/plain&label=Dev')).json<ParameterBody>();

    expect(byVersion.Parameter).toMatchObject({ Value: 'plain-value-1', Version: 1 });
    expect(byLabel.Parameter).toMatchObject({ Value: 'plain-value-1', Version: 1 });
  });

  it('uses whichever of version and label comes first in the URL', async () => {
    const versionFirst = (await read('name=/app/plain&version=2&label=Dev')).json<ParameterBody>();
    const labelFirst = (await read('name=/app/plain&label=Dev&version=2')).json<ParameterBody>();

    expect(versionFirst.Parameter.Value).toBe('plain-value-2');
    expect(labelFirst.Parameter.Value).toBe('plain-value-1');
  });

  it('reads a parameter by its full ARN, raw or encoded', async () => {
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/flat';
    const raw = await read(`name=${arn}`);
    const encoded = await read(`name=${encodeURIComponent(arn)}`);

    expect(raw.status).toBe(200);
    expect(raw.json<ParameterBody>().Parameter.Value).toBe('flat-value');
    expect(encoded.json<ParameterBody>().Parameter.Value).toBe('flat-value');
  });

  it('reads a secret through /aws/reference/secretsmanager/', async () => {
    const answer = await read('name=/aws/reference/secretsmanager/ref-secret&withDecryption=true');

    expect(answer.status).toBe(200);
    const body = answer.json<ParameterBody>();
    expect(body.Parameter).toMatchObject({ Type: 'SecureString', Value: 'ref-secret-value-99' });
  });

  it('answers 400 naming ParameterNotFound for a missing parameter', async () => {
    const answer = await read('name=/app/does-not-exist');

    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ __type: 'ParameterNotFound' });
  });

  it('answers 400 naming ParameterVersionNotFound for a version that does not exist', async () => {
    const answer = await read('name=/app/plain&version=9');

    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ __type: 'ParameterVersionNotFound' });
  });

  it('answers 400 MissingParameter without a name', async () => {
    const answer = await read('version=1');
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({
      __type: 'MissingParameter',
      message: "query parameter 'name' is required",
    });
  });

  it("answers 401 with AWS's text without the token, with a wrong token, but accepts any header casing", async () => {
    const none = await fetch(`${extension.baseUrl}${PARAM_PATH}?name=/app/plain`);
    const wrong = await getWithToken(`${extension.baseUrl}${PARAM_PATH}?name=/app/plain`, 'not-the-token');
    const lower = await fetch(`${extension.baseUrl}${PARAM_PATH}?name=/app/plain`, {
      headers: { 'x-aws-parameters-secrets-token': TEST_TOKEN },
    });

    expect(none.status).toBe(401);
    expect(await none.text()).toBe('bad session token or header key');
    expect(wrong.status).toBe(401);
    expect(lower.status).toBe(200);
  });

  it('answers on ::1 as well, since clients may resolve localhost to it', async () => {
    const ipv6 = await canListenOnIpv6Loopback();
    const answer = await fetch(`http://[::1]:${extension.port}/ping`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(answer).toBe(ipv6 ? 200 : 'refused');
  });

  it('never writes a value or the token to its log', async () => {
    const log = extension.output();
    for (const secret of [
      'plain-value-1',
      'plain-value-2',
      'secure-plaintext-77',
      'ref-secret-value-99',
      TEST_TOKEN,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('ParameterNotFound');
  });
});
