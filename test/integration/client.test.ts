/**
 * The client module as built (dist/client, what the images ship) against the built extension and
 * moto: single and batch reads, AWS's errors, a secret of 64 KiB, the extension starting after the
 * first read was asked (INIT), restarted under kept-alive connections, and a function process that
 * ends by itself. Reads run in fresh Node processes, as a function's would.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/command.js';
import {
  type ExtensionProcess,
  extensionsAgainst,
  REPO_ROOT,
  spawnExtension,
  startExtension,
} from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';
import { type Child, startProcess } from '../helpers/process.js';

const CLIENT = join(REPO_ROOT, 'dist/client/index.mjs');
const IN_PROCESS = join(REPO_ROOT, 'dist/extension/in-process.cjs');

const PREFIX = '/client-it';
const NAMES = Array.from({ length: 60 }, (_, i) => `${PREFIX}/batch/p${String(i).padStart(2, '0')}`);
const BIG_SECRET = 'client-it/big';
// Near Secrets Manager's limit of 65,536 bytes, and more than 64 KiB in the answer once JSON-escaped.
const BIG_VALUE = JSON.stringify({ blob: 'ü'.repeat(15_000) + '"'.repeat(15_000) + 'x'.repeat(4_000) });

const RESULT_MARK = 'client-it result: ';
const extensions = extensionsAgainst(() => MOTO_ENDPOINT);
let extension: ExtensionProcess;

/**
 * Runs `body` (an async function body given `client`) in a fresh Node process with the client module
 * imported as a function does; resolves with what it returns, as JSON.
 */
async function inFunction(
  body: string,
  port: number,
  options: { env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<unknown> {
  const script = `
    const client = await import(${JSON.stringify(CLIENT)});
    const result = await (async () => { ${body} })();
    process.stdout.write('\\n' + MARK + JSON.stringify(result ?? null) + '\\n');
  `.replace('MARK', JSON.stringify(RESULT_MARK));
  const { stdout } = await runCommand(
    process.execPath,
    [...(options.nodeArgs ?? []), '--input-type=module', '-e', script],
    {
      timeoutMs: options.timeoutMs ?? 20_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
        AWS_SESSION_TOKEN: TEST_TOKEN,
        ...options.env,
      },
    },
  );
  // After the marker: an in-process extension writes its log lines to the same stdout.
  const text = stdout.toString();
  const at = text.lastIndexOf(RESULT_MARK);
  if (at === -1) throw new Error(`no result from the function process: ${text}`);
  return JSON.parse(text.slice(at + RESULT_MARK.length));
}

/** What a read threw, as plain data. */
const failure = (call: string) =>
  `return ${call}.then(() => 'no error', (e) => ({ name: e.name, code: e.code, status: e.status, message: e.message }));`;

beforeAll(async () => {
  await resetMoto();
  const ssm = motoSsm();
  for (const name of NAMES) {
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: `v-${name}`, Type: 'String', Overwrite: true }),
    );
  }
  await ssm.send(
    new PutParameterCommand({
      Name: `${PREFIX}/secure`,
      Value: 'decrypted',
      Type: 'SecureString',
      Overwrite: true,
    }),
  );
  await ssm.send(
    new PutParameterCommand({ Name: `${PREFIX}/tree/a`, Value: 'A', Type: 'String', Overwrite: true }),
  );
  await ssm.send(
    new PutParameterCommand({ Name: `${PREFIX}/tree/deeper/b`, Value: 'B', Type: 'String', Overwrite: true }),
  );
  const sm = motoSecretsManager();
  await sm.send(new CreateSecretCommand({ Name: 'client-it/db', SecretString: '{"password":"hunter2"}' }));
  await sm.send(new CreateSecretCommand({ Name: BIG_SECRET, SecretString: 'small' }));
  await sm.send(new PutSecretValueCommand({ SecretId: BIG_SECRET, SecretString: BIG_VALUE }));
  extension = await extensions.start();
}, 120_000);

afterAll(async () => {
  await extensions.stopAll();
});

describe('the client against the extension', () => {
  it('reads parameters and secrets, a 64 KiB+ secret included, one after another and at once', async () => {
    const result = (await inFunction(
      `const one = await client.getParameter(${JSON.stringify(NAMES[0])});
       const secure = await client.getParameter('${PREFIX}/secure', { decrypt: true });
       const db = await client.getSecretJson('client-it/db');
       const big = await client.getSecret(${JSON.stringify(BIG_SECRET)});
       const many = await Promise.all(${JSON.stringify(NAMES.slice(0, 20))}.map((n) => client.getParameter(n)));
       return { one, secure, db, bigLength: big.length, bigSame: big === ${JSON.stringify(BIG_VALUE)}, many };`,
      extension.port,
    )) as Record<string, unknown>;
    expect(Buffer.byteLength(JSON.stringify(BIG_VALUE))).toBeGreaterThan(64 * 1024);
    expect(result).toEqual({
      one: `v-${NAMES[0]}`,
      secure: 'decrypted',
      db: { password: 'hunter2' },
      bigLength: BIG_VALUE.length,
      bigSame: true,
      many: NAMES.slice(0, 20).map((n) => `v-${n}`),
    });
  });

  it('reads through both faces, import and require, whose errors are instances of either class', async () => {
    const result = await inFunction(
      `const { createRequire } = await import('node:module');
       const required = createRequire(import.meta.url)(${JSON.stringify(CLIENT.replace(/\.mjs$/, '.cjs'))});
       const [a, b] = await Promise.all([client.getParameter(${JSON.stringify(NAMES[9])}), required.getParameter(${JSON.stringify(NAMES[9])})]);
       const fromImport = await client.getParameter('${PREFIX}/missing').catch((e) => e);
       const fromRequire = await required.getParameter('${PREFIX}/missing').catch((e) => e);
       return { a, b, across: [fromImport instanceof required.ParametersSecretsError, fromRequire instanceof client.ParametersSecretsError],
                notOthers: new Error('x') instanceof client.ParametersSecretsError || new Error('x') instanceof required.ParametersSecretsError };`,
      extension.port,
    );
    expect(result).toEqual({
      a: `v-${NAMES[9]}`,
      b: `v-${NAMES[9]}`,
      across: [true, true],
      notOthers: false,
    });
  });

  it("gives AWS's error code and the status, and Unauthorized for a wrong token", async () => {
    expect(
      await inFunction(failure(`client.getParameter('${PREFIX}/missing')`), extension.port),
    ).toMatchObject({
      name: 'ParametersSecretsError',
      code: 'ParameterNotFound',
      status: 400,
    });
    expect(
      await inFunction(failure(`client.getSecret('client-it/none')`), extension.port, {
        env: { AWS_SESSION_TOKEN: 'not-the-token' },
      }),
    ).toMatchObject({ code: 'Unauthorized', status: 401 });
  });

  it('reads 60 parameters in one call (two requests), with the one SSM does not know named', async () => {
    const asked = [...NAMES, `${PREFIX}/batch/missing`];
    const result = (await inFunction(
      `const r = await client.getParameters(${JSON.stringify(asked)});
       return { values: r.values, invalid: r.invalid, errors: r.errors, count: r.parameters.length };`,
      extension.port,
    )) as { values: Record<string, string>; invalid: string[]; errors: unknown[]; count: number };
    expect(result.count).toBe(NAMES.length);
    expect(result.values).toEqual(Object.fromEntries(NAMES.map((n) => [n, `v-${n}`])));
    expect(result.invalid).toEqual([`${PREFIX}/batch/missing`]);
    expect(result.errors).toEqual([]);
  });

  it('reads a hierarchy by path, recursive or not', async () => {
    const result = await inFunction(
      `const flat = await client.getParametersByPath('${PREFIX}/tree');
       const all = await client.getParametersByPath('${PREFIX}/tree', { recursive: true });
       return { flat: flat.values, all: all.values };`,
      extension.port,
    );
    expect(result).toEqual({
      flat: { [`${PREFIX}/tree/a`]: 'A' },
      all: { [`${PREFIX}/tree/a`]: 'A', [`${PREFIX}/tree/deeper/b`]: 'B' },
    });
  });

  it("reads secrets in one call, a missing one in errors with AWS's code", async () => {
    const result = (await inFunction(
      `const r = await client.getSecrets(['client-it/db', ${JSON.stringify(BIG_SECRET)}, 'client-it/gone']);
       return { db: r.values['client-it/db'], bigSame: r.values[${JSON.stringify(BIG_SECRET)}] === ${JSON.stringify(BIG_VALUE)}, errors: r.errors.map((e) => [e.id, e.code]) };`,
      extension.port,
    )) as Record<string, unknown>;
    expect(result).toEqual({
      db: '{"password":"hunter2"}',
      bigSame: true,
      errors: [['client-it/gone', 'ResourceNotFoundException']],
    });
  });
});

describe('reaching the extension', () => {
  it('waits for an extension that starts after the first read was asked (INIT), within the retry budget', async () => {
    const port = await freePort();
    // Both start together: the function's first read (~50 ms in) comes before the extension listens.
    const reading = inFunction(`return client.getParameter(${JSON.stringify(NAMES[1])});`, port);
    const late = spawnExtension({
      port,
      env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, AWS_SESSION_TOKEN: TEST_TOKEN },
    });
    try {
      await expect(reading).resolves.toBe(`v-${NAMES[1]}`);
    } finally {
      await late.stop();
    }
  });

  it('reads on after the extension restarted under its kept-alive connections', async () => {
    const port = await freePort();
    const env = { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, AWS_SESSION_TOKEN: TEST_TOKEN };
    const first = spawnExtension({ port, env });
    // The function process reads, tells us, waits for the restart (its stdin closing), reads again.
    const script = `
      const client = await import(${JSON.stringify(CLIENT)});
      const a = await Promise.all([0, 1, 2].map(() => client.getParameter(${JSON.stringify(NAMES[2])})));
      process.stderr.write('read\\n');
      await new Promise((resolve) => process.stdin.on('data', resolve));
      const b = await Promise.all([0, 1, 2].map(() => client.getParameter(${JSON.stringify(NAMES[2])})));
      process.stdout.write(JSON.stringify({ a, b }));
      process.exit(0);
    `;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
        AWS_SESSION_TOKEN: TEST_TOKEN,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let second: ExtensionProcess | undefined;
    try {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => d.toString().includes('read') && resolve());
        child.on('exit', () => reject(new Error('the function process ended before its first read')));
        setTimeout(() => reject(new Error('no first read within 20 s')), 20_000);
      });
      await first.stop();
      // Listening again (GET /ping) before the function reads: the retry budget is for INIT, not for this.
      second = await startExtension({ port, env });
      child.stdin.write('go\n');
      expect(await exited).toBe(0);
      const value = `v-${NAMES[2]}`;
      expect(JSON.parse(stdout)).toEqual({ a: [value, value, value], b: [value, value, value] });
    } finally {
      child.kill('SIGKILL');
      await first.stop();
      await second?.stop();
    }
  });

  it('never keeps a function process alive: it ends by itself after its reads', async () => {
    const started = Date.now();
    // No process.exit: the process must end on its own while its connections stay open, idle.
    await expect(
      inFunction(`return client.getParameter(${JSON.stringify(NAMES[3])});`, extension.port, {
        timeoutMs: 10_000,
      }),
    ).resolves.toBe(`v-${NAMES[3]}`);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe.skipIf(!existsSync(IN_PROCESS))('the in-process extension (dist/extension/in-process.cjs)', () => {
  it('serves the main thread by the direct path and a worker thread over HTTP, from one cache', async () => {
    const port = await freePort();
    const NO_ONE_PORT = await freePort();
    const result = await inFunction(
      `const published = globalThis[Symbol.for('parameters-secrets-extension.in-process')];
       // Nothing listens on this port: a read that went over HTTP would fail (ECONNREFUSED).
       const realPort = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
       process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = ${JSON.stringify(String(NO_ONE_PORT))};
       const main = await client.getParameter(${JSON.stringify(NAMES[4])});
       const batch = await client.getParameters(${JSON.stringify(NAMES.slice(5, 8))});
       const missing = await client.getParameter('${PREFIX}/missing').catch((e) => [e.code, e.status]);
       const { Worker } = await import('node:worker_threads');
       const worker = new Worker(
         'Promise.all([import("node:worker_threads"), import(' + JSON.stringify(${JSON.stringify(CLIENT)}) + ')])' +
         '.then(async ([{ parentPort }, c]) => parentPort.postMessage({' +
         '  published: globalThis[Symbol.for("parameters-secrets-extension.in-process")] !== undefined,' +
         '  value: await c.getParameter(' + JSON.stringify(${JSON.stringify(NAMES[4])}) + ') }));',
         { eval: true, env: { ...process.env, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: realPort } },
       );
       const fromWorker = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
       await worker.terminate();
       return { published: published?.version, main, batch: Object.values(batch.values), missing, fromWorker };`,
      port,
      {
        nodeArgs: ['--require', IN_PROCESS],
        env: {
          ...AWS_TEST_ENV,
          AWS_ENDPOINT_URL: MOTO_ENDPOINT,
          PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'true',
          PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'none',
        },
      },
    );
    expect(result).toEqual({
      published: 1,
      main: `v-${NAMES[4]}`,
      batch: NAMES.slice(5, 8).map((n) => `v-${n}`),
      missing: ['ParameterNotFound', 400],
      fromWorker: { published: false, value: `v-${NAMES[4]}` },
    });
  });
});

describe("against a server on Go's net/http, as AWS's extension is", () => {
  const GO_SERVER = join(REPO_ROOT, 'test/integration/fixtures/go-extension/main.go');
  const built = mkdtempSync(join(tmpdir(), 'client-go-'));
  const binary = join(built, 'go-extension');
  let server: Child;
  let port: number;

  beforeAll(async () => {
    // The lab's pinned Go (and its build cache): the standard library only, nothing downloaded.
    const goroot = execFileSync(join(REPO_ROOT, 'lab/go-toolchain.sh'), {
      encoding: 'utf8',
      timeout: 300_000,
    }).trim();
    execFileSync(join(goroot, 'bin/go'), ['build', '-o', binary, GO_SERVER], {
      cwd: built,
      timeout: 300_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: built,
        GOROOT: goroot,
        GOCACHE: `${process.env.LAB_CACHE_DIR ?? '/var/cache/lambda-nodejs-lab'}/go/build-cache`,
        GO111MODULE: 'off',
        GOTOOLCHAIN: 'local',
      },
    });
    port = await freePort();
    server = startProcess(binary, [String(port), TEST_TOKEN]);
    const deadline = Date.now() + 10_000;
    while (!server.output().includes('listening')) {
      if (Date.now() > deadline) throw new Error(`the Go server did not start: ${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, 320_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(built, { recursive: true, force: true });
  });

  it('reads its Content-Length and its chunked answers, one after another and at once', async () => {
    // What Go chose (the test must not pass by a server that never chunks).
    const framing = await new Promise<string | undefined>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(
          {
            host: '127.0.0.1',
            port,
            path: '/systemsmanager/parameters/get?name=%2Fbig',
            headers: { 'X-Aws-Parameters-Secrets-Token': TEST_TOKEN },
          },
          (res) => {
            res.resume();
            resolve(res.headers['transfer-encoding']);
          },
        ).on('error', reject),
      );
    });
    expect(framing).toBe('chunked');
    const result = (await inFunction(
      `const small = await client.getParameter('/small');
       const big = await client.getParameter('/big');
       const again = await Promise.all([0, 1, 2].map(() => client.getParameter('/big')));
       return { small, bigLength: big.length, same: again.every((v) => v === big) };`,
      port,
    )) as Record<string, unknown>;
    expect(result).toEqual({ small: 'small value', bigLength: 50_000, same: true });
  });

  it('reads on after `Connection: close` answers and after Go closed the idle connections', async () => {
    const result = await inFunction(
      `const out = [];
       for (let i = 0; i < 3; i++) out.push(await client.getParameter('/close'));
       out.push(await client.getParameter('/small'));
       await new Promise((resolve) => setTimeout(resolve, 500)); // past the server's IdleTimeout (200 ms)
       out.push(await client.getParameter('/small'));
       return out;`,
      port,
    );
    expect(result).toEqual(['small value', 'small value', 'small value', 'small value', 'small value']);
  });

  it("turns its plain-text errors into the status, as AWS's extension answers them", async () => {
    expect(await inFunction(failure(`client.getParameter('/missing')`), port)).toMatchObject({
      code: 'HTTP400',
      status: 400,
    });
    expect(
      await inFunction(failure(`client.getParameter('/small')`), port, {
        env: { AWS_SESSION_TOKEN: 'wrong' },
      }),
    ).toMatchObject({ code: 'Unauthorized', status: 401 });
  });
});
