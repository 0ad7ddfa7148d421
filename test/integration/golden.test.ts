/**
 * The golden table (test/golden/wire.ts) against the built extension as a process: every row's request
 * as raw bytes on a socket, moto seeded with the golden FIXTURES behind it (and, for the rows that say
 * so, an endpoint that refuses connections), every answer compared with the row.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { LabelParameterVersionCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, GOLDEN, type GoldenRow, TOKEN } from '../golden/wire.js';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';
import { exchange, header } from '../helpers/raw-http.js';

let moto: ExtensionProcess;
let unreachable: ExtensionProcess;

async function seed(): Promise<void> {
  const ssm = motoSsm();
  for (const parameter of FIXTURES.parameters) {
    for (const [index, version] of parameter.versions.entries()) {
      await ssm.send(
        new PutParameterCommand({
          Name: parameter.name,
          Value: version.value,
          Type: parameter.type,
          Overwrite: index > 0,
        }),
      );
      if (version.labels !== undefined) {
        await ssm.send(
          new LabelParameterVersionCommand({
            Name: parameter.name,
            ParameterVersion: index + 1,
            Labels: [...version.labels],
          }),
        );
      }
    }
  }
  const secrets = motoSecretsManager();
  for (const secret of FIXTURES.secrets) {
    for (const [index, version] of secret.versions.entries()) {
      const value = typeof version === 'string' ? { SecretString: version } : { SecretBinary: version };
      if (index === 0) await secrets.send(new CreateSecretCommand({ Name: secret.name, ...value }));
      else await secrets.send(new PutSecretValueCommand({ SecretId: secret.name, ...value }));
    }
  }
}

beforeAll(async () => {
  await resetMoto();
  await seed();
  const env = { ...AWS_TEST_ENV, AWS_SESSION_TOKEN: TOKEN };
  moto = await startExtension({ port: await freePort(), env: { ...env, AWS_ENDPOINT_URL: MOTO_ENDPOINT } });
  unreachable = await startExtension({
    port: await freePort(),
    env: { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}` },
  });
});

afterAll(async () => {
  await moto?.stop();
  await unreachable?.stop();
});

function requestBytes(row: GoldenRow): string {
  const lines = [`${row.method} ${row.target} HTTP/1.1`, 'Host: localhost:2773'];
  for (const [name, value] of Object.entries(row.headers ?? {})) lines.push(`${name}: ${value}`);
  if (row.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(row.body)}`);
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${row.body ?? ''}`;
}

const label = (row: GoldenRow): string =>
  `${row.method} ${row.target.slice(0, 90)}${row.headers ? ` ${Object.keys(row.headers).join(',')}` : ''}${row.body === undefined ? '' : ' +body'}`;

describe('the built extension answers every row of the golden table', () => {
  it.each(GOLDEN.map((row) => [label(row), row] as const))('%s', async (_label, row) => {
    const extension = row.backend === 'unreachable' ? unreachable : moto;
    const result = await exchange(extension.port, [requestBytes(row)]);
    const response = result.responses[0];
    expect(response?.status).toBe(row.status);
    if (response === undefined) return;
    expect(header(response, 'content-type')).toBe(row.contentType);
    expect(header(response, 'allow')).toBe(row.allow);
    const body = response.body.toString('utf8');
    if (typeof row.answer === 'string') expect(body).toBe(row.answer);
    else expect(body).toContain(row.answer.contains);
  });

  it('logged neither the token nor a value', () => {
    for (const output of [moto.output(), unreachable.output()]) {
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain('golden-secret-2');
      expect(output).not.toContain('golden-secure-plaintext');
    }
  });
});
