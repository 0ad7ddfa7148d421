/**
 * In-process mode as a user gets it: `node --require dist/extension/in-process.cjs <the function>`, a
 * real process against moto (behind a counting proxy). What the golden table (golden.test.ts, both
 * modes) cannot show: when the sockets accept, worker threads sharing the main thread's one cache, a
 * port in use, the switch, and that the function's process behaves as it would without the module.
 */
import { createServer, type Server } from 'node:net';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { extensionEnv, IN_PROCESS_BUNDLE, spawnExtension } from '../helpers/extension-process.js';
import { accepts, freePort } from '../helpers/free-port.js';
import { TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';
import { startProcess } from '../helpers/process.js';
import { waitFor, withTimeout } from '../helpers/wait.js';

const PARAMETER = '/in-process/shared';
const VALUE = 'in-process-value-7c41';
const WORKERS = 4;

let proxy: CountingProxy;

beforeAll(async () => {
  await resetMoto();
  await motoSsm().send(new PutParameterCommand({ Name: PARAMETER, Value: VALUE, Type: 'String' }));
  proxy = await startCountingProxy(MOTO_ENDPOINT);
});

afterAll(async () => {
  await proxy?.close();
});

/** `node --require in-process.cjs -e <code>` with the tests' credentials, token and the mode on. */
async function runInProcess(code: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = startProcess(process.execPath, ['--require', IN_PROCESS_BUNDLE, '-e', code], {
    env: extensionEnv(port, {
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL: proxy.url,
      AWS_SESSION_TOKEN: TEST_TOKEN,
      PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'true',
      ...env,
    }),
  });
  return { port, child };
}

/** The JSON a script printed on its line starting with `result `. */
function resultOf(output: string): unknown {
  const line = output.split('\n').find((candidate) => candidate.startsWith('result '));
  if (line === undefined) throw new Error(`no result line in:\n${output}`);
  return JSON.parse(line.slice('result '.length));
}

describe('in-process mode', () => {
  it('accepts on 127.0.0.1 and ::1, with the direct path set, before the next module runs a line', async () => {
    const host = spawnExtension({
      port: await freePort(),
      env: AWS_TEST_ENV,
      mode: 'in-process',
      hostArgs: ['probe'],
    });
    try {
      const line = await waitFor(
        'the top-level probe',
        async () => host.output().match(/top level: .*/)?.[0],
        10_000,
      );
      expect(line).toBe('top level: 127.0.0.1 accepting, ::1 accepting, direct path function');
    } finally {
      await host.stop();
    }
  });

  it(`serves ${WORKERS} worker threads from the main thread's one cache: one backend call`, async () => {
    const before = proxy.count('GetParameter');
    // Each worker (which inherits --require) reads the same name at once, as handlers reading at INIT
    // do, then again; the main thread reads it through the direct path at the end.
    const { child } = await runInProcess(`
      const { Worker } = require('node:worker_threads');
      const key = Symbol.for('parameters-secrets-extension.in-process');
      const worker = \`
        // Before the worker's own code loads anything: what the module's copy in this thread ran.
        const httpLoaded = process.moduleLoadList.includes('NativeModule http');
        const { parentPort } = require('node:worker_threads');
        const url = 'http://localhost:' + process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT +
          '/systemsmanager/parameters/get?name=${encodeURIComponent(PARAMETER)}';
        const headers = { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN };
        const read = async () => { const r = await fetch(url, { headers }); return [r.status, JSON.parse(await r.text()).Parameter.Value]; };
        (async () => {
          const direct = typeof globalThis[Symbol.for('parameters-secrets-extension.in-process')];
          parentPort.postMessage({ direct, httpLoaded, reads: [await read(), await read()] });
        })();
      \`;
      const answers = Array.from({ length: ${WORKERS} }, () => new Promise((resolve, reject) => {
        new Worker(worker, { eval: true }).once('message', resolve).once('error', reject);
      }));
      Promise.all(answers).then(async (workers) => {
        const main = await globalThis[key].get('/systemsmanager/parameters/get?name=${encodeURIComponent(PARAMETER)}', process.env.AWS_SESSION_TOKEN);
        console.log('result ' + JSON.stringify({ workers, main: [main.status, JSON.parse(main.body).Parameter.Value] }));
      });
    `);
    expect(await withTimeout(child.exited, 30_000, 'the worker script')).toBe(0);
    expect(resultOf(child.output())).toEqual({
      workers: Array.from({ length: WORKERS }, () => ({
        direct: 'undefined',
        // The module is parsed in a worker and none of it runs (no node:http, no cache).
        httpLoaded: false,
        reads: [
          [200, VALUE],
          [200, VALUE],
        ],
      })),
      main: [200, VALUE],
    });
    expect(proxy.count('GetParameter') - before).toBe(1);
    // One listener: the workers' copies of the module did nothing (no second bind, no error line).
    expect(child.output().match(/Listening in-process/g)).toHaveLength(1);
    expect(child.output()).not.toContain('ERROR');
  });

  it('with the port in use: an ERROR naming the port and its variable, no direct path, the function runs', async () => {
    const taken: Server = createServer((socket) => socket.destroy());
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const child = startProcess(
        process.execPath,
        [
          '--require',
          IN_PROCESS_BUNDLE,
          '-e',
          `setTimeout(() => console.log('result ' + JSON.stringify({ direct: typeof globalThis[Symbol.for('parameters-secrets-extension.in-process')] })), 300)`,
        ],
        { env: extensionEnv(port, { ...AWS_TEST_ENV, PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'true' }) },
      );
      expect(await withTimeout(child.exited, 10_000, 'the function')).toBe(0);
      expect(resultOf(child.output())).toEqual({ direct: 'undefined' });
      expect(child.output()).toMatch(
        new RegExp(
          `ERROR Cannot listen on 127\\.0\\.0\\.1:${port} \\(PARAMETERS_SECRETS_EXTENSION_HTTP_PORT\\): .*EADDRINUSE`,
        ),
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('serves nothing unless PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is true, and names the variable when it is invalid', async () => {
    const { port, child } = await runInProcess(
      `setTimeout(() => console.log('result ' + JSON.stringify({ direct: typeof globalThis[Symbol.for('parameters-secrets-extension.in-process')] })), 300)`,
      { PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: 'yes' },
    );
    await waitFor(
      'the first log line',
      async () => (child.output().includes('WARN') ? true : undefined),
      10_000,
    );
    expect(await accepts(port)).toBe(false);
    expect(await withTimeout(child.exited, 10_000, 'the function')).toBe(0);
    expect(resultOf(child.output())).toEqual({ direct: 'undefined' });
    expect(child.output()).toContain('PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is "yes", not true or false');
  });

  it("changes nothing in the function's process: no handlers, and it ends when the function's work does", async () => {
    // Listener counts of the events whose handling the module must leave to the function, compared
    // with the same process without the module (Node installs a 'warning' listener of its own).
    const EVENTS = ['uncaughtException', 'unhandledRejection', 'SIGTERM', 'SIGINT', 'beforeExit', 'warning'];
    const counts = `Object.fromEntries(${JSON.stringify(EVENTS)}.map((event) => [event, process.listenerCount(event)]))`;
    const bare = startProcess(process.execPath, ['-e', `console.log('result ' + JSON.stringify(${counts}))`]);
    expect(await withTimeout(bare.exited, 10_000, 'node -e')).toBe(0);
    // A keep-alive connection to the cache stays open on both ends: the process must still end at once
    // (the servers and their connections are unref()'d), with the exit code the function chose.
    const { child } = await runInProcess(`
      const http = require('node:http');
      const agent = new http.Agent({ keepAlive: true });
      const counts = ${counts};
      http.get({ port: process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, host: '127.0.0.1', path: '/ping', agent }, (res) => {
        res.resume().on('end', () => {
          console.log('result ' + JSON.stringify({ counts, status: res.statusCode }));
          process.exitCode = 3;
        });
      });
    `);
    const started = Date.now();
    expect(await withTimeout(child.exited, 10_000, 'the function')).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(resultOf(child.output())).toEqual({ counts: resultOf(bare.output()), status: 200 });
  });

  it('writes the last EMF line when the process exits (there is no SHUTDOWN event)', async () => {
    const { child } = await runInProcess(
      `globalThis[Symbol.for('parameters-secrets-extension.in-process')]
        .get('/systemsmanager/parameters/get?name=${encodeURIComponent(PARAMETER)}', process.env.AWS_SESSION_TOKEN)
        .then((answer) => console.log('result ' + JSON.stringify(answer.status)));`,
      { PARAMETERS_SECRETS_EXTENSION_METRICS_EMF: 'true', AWS_LAMBDA_FUNCTION_NAME: 'in-process-emf' },
    );
    expect(await withTimeout(child.exited, 20_000, 'the function')).toBe(0);
    expect(resultOf(child.output())).toBe(200);
    const emf = child
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ FunctionName: 'in-process-emf', CacheMisses: 1, SsmBackendCalls: 1 });
  });
});
