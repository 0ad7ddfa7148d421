/**
 * Standalone use (no Extensions API): the tokens it accepts, the package.json bin, and configuration
 * mistakes reported once by name without stopping the extension.
 */

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, REPO_ROOT, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { get } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';

const running: ExtensionProcess[] = [];
const read = (extension: ExtensionProcess, token: string) =>
  get(`${extension.baseUrl}/systemsmanager/parameters/get?name=/standalone/p`, {
    'X-Aws-Parameters-Secrets-Token': token,
  });

beforeAll(async () => {
  await resetMoto();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((extension) => extension.stop()));
});

async function start(env: Record<string, string>): Promise<ExtensionProcess> {
  // Idempotent: moto is shared, and a reset elsewhere must not break us.
  await motoSsm().send(
    new PutParameterCommand({
      Name: '/standalone/p',
      Value: 'standalone-value-61',
      Type: 'String',
      Overwrite: true,
    }),
  );
  const extension = await startExtension({
    port: await freePort(),
    env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, ...env },
  });
  running.push(extension);
  return extension;
}

describe('standalone', () => {
  it('accepts the SnapStart container token and our own token when there is no session token', async () => {
    const extension = await start({
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token-62',
      PARAMETERS_SECRETS_EXTENSION_TOKEN: 'own-token-63',
    });

    expect((await read(extension, 'container-token-62')).status).toBe(200);
    expect((await read(extension, 'own-token-63')).status).toBe(200);
    expect((await read(extension, 'container-token-6')).status).toBe(401);
    expect(extension.output()).not.toMatch(/container-token-62|own-token-63/);
  });

  it('refuses every read with 401 when no token is configured, and says so at start-up', async () => {
    const extension = await start({});

    expect((await read(extension, '')).status).toBe(401);
    expect((await read(extension, 'anything')).status).toBe(401);
    expect((await get(`${extension.baseUrl}/ping`)).status).toBe(200);
    expect(extension.output()).toContain('every request except /ping is refused with 401');
  });

  it('reports each invalid variable once, by name, and keeps serving with the value it names', async () => {
    const extension = await start({
      AWS_SESSION_TOKEN: 'session-token-64',
      PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: 'lots',
      SSM_PARAMETER_STORE_TTL: '900',
      PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'chatty',
      SECRETS_MANAGER_TIMEOUT_MILLIS: '-5',
    });

    expect((await read(extension, 'session-token-64')).status).toBe(200);
    const warnings = extension
      .output()
      .split('\n')
      .filter((line) => line.includes(' WARN '));
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toContain('PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE is "lots"');
    expect(warnings.join('\n')).toContain(
      'SSM_PARAMETER_STORE_TTL exceeds max limit. Setting Parameter Store TTL to 5m0s.',
    );
    expect(warnings.join('\n')).toContain('PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL is "chatty"');
    expect(warnings.join('\n')).toContain('SECRETS_MANAGER_TIMEOUT_MILLIS is "-5"');
  });

  it('starts from the package.json bin (npx parameters-secrets-extension) and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'dist/extension/parameters-secrets-extension.cjs')],
      {
        env: {
          PATH: process.env.PATH,
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
          AWS_SESSION_TOKEN: 't',
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      let status = 0;
      for (let attempt = 0; attempt < 200 && status !== 200; attempt++) {
        status = await fetch(`http://127.0.0.1:${port}/ping`).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
