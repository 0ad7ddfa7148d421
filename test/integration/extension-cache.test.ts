/**
 * Caching, proven by counting the calls that reach moto through a counting proxy in front of it;
 * and the cold-start promise that no AWS SDK code is loaded before the first miss.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type ExtensionProcess, extensionsAgainst, REPO_ROOT } from '../helpers/extension-process.js';
import { getWithToken } from '../helpers/http.js';
import { MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';

let proxy: CountingProxy;
const extensions = extensionsAgainst(() => proxy.url);
const extensionWith = extensions.start;

const parameter = (extension: ExtensionProcess, query: string) =>
  getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get?${query}`);
const secret = (extension: ExtensionProcess, query: string) =>
  getWithToken(`${extension.baseUrl}/secretsmanager/get?${query}`);

/** Idempotent, so it can run before every test: moto is shared, and a reset elsewhere must not break us. */
async function seed(): Promise<void> {
  const ssm = motoSsm();
  await ssm.send(
    new PutParameterCommand({ Name: '/cache/p', Value: 'cached-param-41', Type: 'String', Overwrite: true }),
  );
  await ssm.send(
    new PutParameterCommand({
      Name: '/cache/s',
      Value: 'cached-secure-42',
      Type: 'SecureString',
      Overwrite: true,
    }),
  );
  await motoSecretsManager()
    .send(new CreateSecretCommand({ Name: 'cache/secret', SecretString: 'cached-secret-43' }))
    .catch((error: unknown) => {
      if ((error as Error).name !== 'ResourceExistsException') throw error;
    });
}

beforeAll(async () => {
  await resetMoto();
  proxy = await startCountingProxy(MOTO_ENDPOINT);
});

beforeEach(async () => {
  proxy.setDelay(0);
  await seed();
});

afterAll(async () => {
  await extensions.stopAll();
  await proxy?.close();
});

describe('cache', () => {
  it('answers repeated reads from the cache: one backend call per key', async () => {
    const extension = await extensionWith();
    const before = { p: proxy.count('GetParameter'), s: proxy.count('GetSecretValue') };

    for (let i = 0; i < 5; i++) {
      expect((await parameter(extension, 'name=/cache/p')).status).toBe(200);
      expect((await secret(extension, 'secretId=cache/secret')).status).toBe(200);
    }

    expect(proxy.count('GetParameter') - before.p).toBe(1);
    expect(proxy.count('GetSecretValue') - before.s).toBe(1);
  });

  it('keeps decrypted and encrypted reads of a SecureString under separate keys', async () => {
    const extension = await extensionWith();
    const before = proxy.count('GetParameter');

    const encrypted = await parameter(extension, 'name=/cache/s');
    const decrypted = await parameter(extension, 'name=/cache/s&withDecryption=true');
    const encryptedAgain = await parameter(extension, 'name=/cache/s');

    const value = (answer: typeof encrypted) =>
      answer.json<{ Parameter: { Value: string } }>().Parameter.Value;
    // moto's stand-in for KMS ciphertext embeds the plaintext, so compare whole values.
    expect(value(encrypted)).not.toBe('cached-secure-42');
    expect(value(decrypted)).toBe('cached-secure-42');
    expect(encryptedAgain.text).toBe(encrypted.text);
    expect(proxy.count('GetParameter') - before).toBe(2);
  });

  it('fetches again once the TTL has passed', async () => {
    const extension = await extensionWith({ SSM_PARAMETER_STORE_TTL: '1' });
    const before = proxy.count('GetParameter');

    await parameter(extension, 'name=/cache/p');
    await parameter(extension, 'name=/cache/p');
    expect(proxy.count('GetParameter') - before).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await parameter(extension, 'name=/cache/p');
    expect(proxy.count('GetParameter') - before).toBe(2);
  });

  it.each([
    ['PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED', 'false'],
    ['PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE', '0'],
    ['SECRETS_MANAGER_TTL', '0'],
  ])('calls the backend on every read with %s=%s', async (name, value) => {
    const extension = await extensionWith({ [name]: value });
    const before = proxy.count('GetSecretValue');

    await secret(extension, 'secretId=cache/secret');
    await secret(extension, 'secretId=cache/secret');

    expect(proxy.count('GetSecretValue') - before).toBe(2);
  });

  it('shares one backend call among concurrent misses of one key', async () => {
    const extension = await extensionWith();
    proxy.setDelay(300);
    const before = proxy.count('GetSecretValue');

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => secret(extension, 'secretId=cache/secret')),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(proxy.count('GetSecretValue') - before).toBe(1);
  });

  it('bypasses the cache for refreshNow=true', async () => {
    const extension = await extensionWith();
    const before = proxy.count('GetSecretValue');

    await secret(extension, 'secretId=cache/secret');
    await secret(extension, 'secretId=cache/secret&refreshNow=true');
    await secret(extension, 'secretId=cache/secret');

    expect(proxy.count('GetSecretValue') - before).toBe(2);
  });

  it('fills the cache during INIT from the prefetch lists', async () => {
    const before = { p: proxy.count('GetParameters'), single: proxy.count('GetParameter') };
    const extension = await extensionWith({
      PARAMETERS_SECRETS_EXTENSION_PREFETCH_PARAMETERS: '/cache/p,/cache/s,/cache/missing',
    });
    // Ready (ping) does not wait for the prefetch; wait until its calls are through.
    const deadline = Date.now() + 5_000;
    while (!extension.output().includes('Prefetched') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const plain = await parameter(extension, 'name=/cache/p');
    const decrypted = await parameter(extension, 'name=/cache/s&withDecryption=true');

    expect(plain.status).toBe(200);
    expect(decrypted.text).toContain('cached-secure-42');
    expect(proxy.count('GetParameters') - before.p).toBe(1);
    expect(proxy.count('GetParameter') - before.single).toBe(0);
    expect(extension.output()).toContain('Prefetched 2 of 3 parameters.');
  });
});

describe('cold start', () => {
  let probeDir: string;
  beforeAll(async () => {
    probeDir = await mkdtemp(join(tmpdir(), 'module-probe-'));
  });
  afterAll(async () => {
    await rm(probeDir, { recursive: true, force: true });
  });

  it('loads no AWS SDK code before the first miss, and loads it on that miss', async () => {
    const probeFile = join(probeDir, 'modules.txt');
    await writeFile(probeFile, '');
    const extension = await extensionWith({
      PARAMETERS_SECRETS_EXTENSION_NODE_OPTIONS: `--require ${join(REPO_ROOT, 'test/helpers/module-probe.cjs')}`,
      MODULE_PROBE_FILE: probeFile,
    });
    const loaded = async () => (await readFile(probeFile, 'utf8')).split('\n').filter(Boolean);

    // Requests that need no backend: ping, 401, 400, 404.
    await fetch(`${extension.baseUrl}/ping`);
    await fetch(`${extension.baseUrl}/secretsmanager/get?secretId=x`);
    await getWithToken(`${extension.baseUrl}/systemsmanager/parameters/get`);
    await getWithToken(`${extension.baseUrl}/nowhere`);
    const beforeMiss = await loaded();

    // One pipeline in the entry bundle answers them all; only the SDK bundle is left to load.
    expect(beforeMiss.map((file) => file.slice(file.lastIndexOf('/') + 1)).sort()).toEqual([
      'errors.cjs',
      'index.cjs',
    ]);

    await parameter(extension, 'name=/cache/p');
    await parameter(extension, 'name=/cache/p'); // a cached hit
    const afterMiss = await loaded();

    expect(afterMiss.filter((file) => file.endsWith('/aws.cjs'))).toHaveLength(1);
  });
});
