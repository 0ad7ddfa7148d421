/**
 * The golden table (test/golden/wire.ts) against the built extension as a process, in both modes (a
 * process of its own; in-process, inside a stand-in for the function's process): every row's request
 * as raw bytes on a socket, moto seeded with the golden FIXTURES behind it (and, for the rows that say
 * so, an endpoint that refuses connections), every answer compared with the row. In-process, every GET
 * row is also asked through the direct path, which must give the row's status and body, and the ones
 * HTTP gives at that moment.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { LabelParameterVersionCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, GOLDEN, type GoldenRow, TOKEN } from '../golden/wire.js';
import {
  EXTENSION_MODES,
  type ExtensionMode,
  type ExtensionProcess,
  startExtension,
} from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';
import { exchange, header } from '../helpers/raw-http.js';

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
});

/** The two extensions of a mode: one in front of moto, one in front of an endpoint that refuses connections. */
function extensionsOf(mode: ExtensionMode) {
  const started: { moto?: ExtensionProcess; unreachable?: ExtensionProcess } = {};
  /** In-process: the port on which each one's host serves the direct path to the tests. */
  const directPorts = new Map<ExtensionProcess, number>();
  const start = async (endpoint: string): Promise<ExtensionProcess> => {
    const directPort = await freePort();
    const extension = await startExtension({
      port: await freePort(),
      env: {
        ...AWS_TEST_ENV,
        AWS_SESSION_TOKEN: TOKEN,
        AWS_ENDPOINT_URL: endpoint,
        IN_PROCESS_HOST_DIRECT_PORT: String(directPort),
      },
      mode,
    });
    directPorts.set(extension, directPort);
    return extension;
  };
  beforeAll(async () => {
    started.moto = await start(MOTO_ENDPOINT);
    started.unreachable = await start(`http://127.0.0.1:${await freePort()}`);
  });
  afterAll(async () => {
    await started.moto?.stop();
    await started.unreachable?.stop();
  });
  return Object.assign(started, {
    directPortOf: (extension: ExtensionProcess) => directPorts.get(extension) as number,
  });
}

function requestBytes(row: GoldenRow): string {
  const lines = [`${row.method} ${row.target} HTTP/1.1`, 'Host: localhost:2773'];
  for (const [name, value] of Object.entries(row.headers ?? {})) lines.push(`${name}: ${value}`);
  if (row.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(row.body)}`);
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${row.body ?? ''}`;
}

const label = (row: GoldenRow): string =>
  `${row.method} ${row.target.slice(0, 90)}${row.headers ? ` ${Object.keys(row.headers).join(',')}` : ''}${row.body === undefined ? '' : ' +body'}`;

/** A row the direct path can be asked: a GET without a body whose only header is the token. */
const directToken = (row: GoldenRow): { token: string | undefined } | undefined => {
  if (row.method !== 'GET' || row.body !== undefined) return undefined;
  const names = Object.keys(row.headers ?? {});
  if (names.some((name) => name.toLowerCase() !== 'x-aws-parameters-secrets-token')) return undefined;
  return { token: names.length === 0 ? undefined : row.headers?.[names[0] as string] };
};
const DIRECT_ROWS = GOLDEN.filter((row) => directToken(row) !== undefined);

async function askDirect(port: number, target: string, token: string | undefined) {
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    body: JSON.stringify({ target, token: token ?? null }),
  });
  return (await response.json()) as { status: number; body: string };
}

describe.each(EXTENSION_MODES)('the built extension (%s) answers every row of the golden table', (mode) => {
  const extensions = extensionsOf(mode);
  const extensionFor = (row: GoldenRow): ExtensionProcess =>
    (row.backend === 'unreachable' ? extensions.unreachable : extensions.moto) as ExtensionProcess;

  it.each(GOLDEN.map((row) => [label(row), row] as const))('%s', async (_label, row) => {
    const result = await exchange(extensionFor(row).port, [requestBytes(row)]);
    const response = result.responses[0];
    expect(response?.status).toBe(row.status);
    if (response === undefined) return;
    expect(header(response, 'content-type')).toBe(row.contentType);
    expect(header(response, 'allow')).toBe(row.allow);
    const body = response.body.toString('utf8');
    if (typeof row.answer === 'string') expect(body).toBe(row.answer);
    else expect(body).toContain(row.answer.contains);
  });

  if (mode === 'in-process') {
    it.each(DIRECT_ROWS.map((row) => [label(row), row] as const))('direct path: %s', async (_label, row) => {
      const { token } = directToken(row) as { token: string | undefined };
      const extension = extensionFor(row);
      const direct = await askDirect(extensions.directPortOf(extension), row.target, token);
      expect(direct.status).toBe(row.status);
      if (typeof row.answer === 'string') expect(direct.body).toBe(row.answer);
      else expect(direct.body).toContain(row.answer.contains);
      const overHttp = (await exchange(extension.port, [requestBytes(row)])).responses[0];
      expect({ status: direct.status, body: direct.body }).toEqual({
        status: overHttp?.status,
        body: overHttp?.body.toString('utf8'),
      });
    });
  }

  it('logged neither the token nor a value', () => {
    for (const extension of [extensions.moto, extensions.unreachable]) {
      const output = extension?.output() ?? '';
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain('golden-secret-2');
      expect(output).not.toContain('golden-secure-plaintext');
    }
  });
});
