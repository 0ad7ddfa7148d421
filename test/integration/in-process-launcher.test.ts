/**
 * In-process mode's side of the sh scripts, as real sh and bash processes on loopback: the one value
 * rule of PARAMETERS_SECRETS_EXTENSION_IN_PROCESS (extension/bin/in-process-mode.sh, shared by the
 * launcher and the runtime's bootstrap), and the launcher in that mode, which starts no server and
 * only registers for SHUTDOWN and waits for it (extension/bin/await-shutdown.bash), against the
 * scripted Extensions API and against raw sockets that answer oddly, late, or not at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../extension/src/config.js';
import { extensionEnv, LAUNCHER, REPO_ROOT } from '../helpers/extension-process.js';
import { EXTENSION_IDENTIFIER, startFakeExtensionsApi } from '../helpers/fake-extensions-api.js';
import { accepts, freePort } from '../helpers/free-port.js';
import { type Child, startProcess } from '../helpers/process.js';
import { startRawTcpServer } from '../helpers/raw-tcp-server.js';
import { withTimeout } from '../helpers/wait.js';

const RULE = join(REPO_ROOT, 'extension/bin/in-process-mode.sh');
const VARIABLE = 'PARAMETERS_SECRETS_EXTENSION_IN_PROCESS';
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the rule decides for one value (undefined: unset), and what it printed on stderr. */
function decide(value: string | undefined, warn: boolean): { mode: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin' };
  if (value !== undefined) env[VARIABLE] = value;
  const script = `. "$1"; parameters_secrets_in_process ${warn ? 'warn' : ''} 2>&3; echo "$parameters_secrets_in_process"`;
  const stderrFile = execFileSync('mktemp', { encoding: 'utf8' }).trim();
  try {
    const mode = execFileSync('sh', ['-c', `exec 3>"${stderrFile}"; ${script}`, 'sh', RULE], {
      env,
      encoding: 'utf8',
    }).trim();
    return { mode, stderr: execFileSync('cat', [stderrFile], { encoding: 'utf8' }) };
  } finally {
    execFileSync('rm', ['-f', stderrFile]);
  }
}

describe('the value rule of PARAMETERS_SECRETS_EXTENSION_IN_PROCESS (in-process-mode.sh)', () => {
  const values = [
    'true',
    'TRUE',
    ' True ',
    't',
    'T',
    '1',
    'false',
    'FALSE',
    'f',
    '0',
    ' ',
    '',
    'yes',
    'on',
    '2',
    'truex',
  ];

  it.each(values)('reads %j as the extension’s configuration reads it', (value) => {
    expect(decide(value, false).mode).toBe(String(loadConfig({ [VARIABLE]: value }).config.inProcess));
  });

  it('is false when unset, without a word', () => {
    expect(decide(undefined, true)).toEqual({ mode: 'false', stderr: '' });
  });

  it('warns about any other value, naming the variable, in the extension’s log format, when asked', () => {
    const { mode, stderr } = decide('yes', true);
    expect(mode).toBe('false');
    expect(stderr).toMatch(
      /^\[Parameters and Secrets Lambda Extension\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d WARN PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is "yes", not true or false\. Using false \(a process of its own\)\.$/m,
    );
    expect(decide('yes', false).stderr).toBe('');
    expect(decide('true', true).stderr).toBe('');
  });

  it('clips a long bad value in the warning', () => {
    const { stderr } = decide('x'.repeat(500), true);
    expect(stderr).toContain(`"${'x'.repeat(64)}…"`);
    expect(stderr).not.toContain('x'.repeat(65));
  });
});

/** The launcher as Lambda runs it, in in-process mode, against `runtimeApi`. */
function launch(runtimeApi: string | undefined, port: number, extra: Record<string, string> = {}): Child {
  const env = extensionEnv(port, {
    [VARIABLE]: 'true',
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    ...extra,
  });
  const child = startProcess(LAUNCHER, [], { env });
  cleanups.push(() => child.stop(1000));
  return child;
}

/** A raw TCP server on loopback that hands each connection to `onConnection` (what it read so far is given too). */
async function rawServer(onConnection: (socket: Socket, received: () => string) => void): Promise<string> {
  const server = await startRawTcpServer((socket) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    onConnection(socket, () => received);
  });
  cleanups.push(() => server.close());
  return server.address;
}

const untilRequest = (received: () => string): Promise<void> =>
  withTimeout(
    (async () => {
      while (!received().includes('\r\n\r\n')) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    5000,
    'a request',
  );

describe('the launcher in in-process mode', () => {
  it('registers for SHUTDOWN only under its file name, starts no server, and exits 0 on SHUTDOWN', async () => {
    const api = await startFakeExtensionsApi();
    cleanups.push(() => api.close());
    const port = await freePort();
    const child = launch(api.address, port);
    await withTimeout(api.waitForNext(), 5000, 'GET /event/next');
    expect(api.registrations).toEqual([
      { name: 'parameters-secrets-extension', events: ['SHUTDOWN'], receivedAt: expect.any(Number) },
    ]);
    expect(await accepts(port)).toBe(false);
    // Still there, blocked in /event/next: Lambda would count an exit as a crash.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child.child.exitCode).toBeNull();

    const t0 = performance.now();
    api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: Date.now() + 2000 });
    expect(await withTimeout(child.exited, 2000, 'exit after SHUTDOWN')).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(child.output()).toMatch(
      /^\[Parameters and Secrets Lambda Extension\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d INFO Shutting down \(SHUTDOWN event, reason spindown; in-process mode\)\.$/m,
    );
    expect(api.errors).toEqual([]);
  });

  it('logs nothing at PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL=NONE', async () => {
    const api = await startFakeExtensionsApi();
    cleanups.push(() => api.close());
    const child = launch(api.address, await freePort(), { PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: ' none ' });
    await withTimeout(api.waitForNext(), 5000, 'GET /event/next');
    api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown' });
    expect(await withTimeout(child.exited, 2000, 'exit')).toBe(0);
    expect(child.output()).toBe('');
  });

  it('runs no code from the function’s environment (BASH_ENV, exported functions)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'in-process-launcher-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'env.sh'), 'echo SOURCED-FROM-BASH-ENV\n');
    const api = await startFakeExtensionsApi();
    cleanups.push(() => api.close());
    const child = launch(api.address, await freePort(), {
      BASH_ENV: join(dir, 'env.sh'),
      'BASH_FUNC_request%%': '() { echo OVERRIDDEN-FUNCTION; }',
    });
    await withTimeout(api.waitForNext(), 5000, 'GET /event/next');
    api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown' });
    expect(await withTimeout(child.exited, 2000, 'exit')).toBe(0);
    expect(child.output()).not.toMatch(/SOURCED-FROM-BASH-ENV|OVERRIDDEN-FUNCTION/);
  });

  it('reads the answer’s headers case-insensitively, with or without Content-Length', async () => {
    let connection = 0;
    const address = await rawServer((socket, received) => {
      const n = ++connection;
      void untilRequest(received).then(() => {
        if (n === 1) {
          const body = '{"functionName":"f"}';
          socket.end(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nLAMBDA-EXTENSION-IDENTIFIER:   ${EXTENSION_IDENTIFIER}  \r\nCONTENT-LENGTH: ${body.length}\r\n\r\n${body}`,
          );
        } else if (n === 2) {
          // The event/next request carried the identifier; the answer has no Content-Length.
          expect(received()).toContain(`Lambda-Extension-Identifier: ${EXTENSION_IDENTIFIER}\r\n`);
          socket.end('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"eventType" : "SHUTDOWN"}');
        }
      });
    });
    const child = launch(address, await freePort());
    expect(await withTimeout(child.exited, 5000, 'exit')).toBe(0);
    expect(child.output()).toContain('Shutting down (SHUTDOWN event, reason unknown; in-process mode).');
  });

  it('fails a registration answered with an error: ERROR line, exit 1, nothing left waiting', async () => {
    const api = await startFakeExtensionsApi({ registerStatus: 500 });
    cleanups.push(() => api.close());
    const child = launch(api.address, await freePort());
    expect(await withTimeout(child.exited, 5000, 'exit')).toBe(1);
    expect(child.output()).toMatch(/ERROR Extensions API register failed: HTTP 500\./);
    expect(api.nextCalls()).toBe(0);
  });

  it('gives up on a registration that is never answered, within its 5 s bound', async () => {
    const address = await rawServer(() => undefined);
    const t0 = performance.now();
    const child = launch(address, await freePort());
    expect(await withTimeout(child.exited, 9000, 'exit')).toBe(1);
    expect(performance.now() - t0).toBeGreaterThan(4500);
    expect(child.output()).toMatch(
      /ERROR Extensions API register failed: no answer from 127\.0\.0\.1:\d+ within 5 s\./,
    );
  });

  it('fails a registration nobody listens for (connection refused) at once', async () => {
    const child = launch(`127.0.0.1:${await freePort()}`, await freePort());
    expect(await withTimeout(child.exited, 2000, 'exit')).toBe(1);
    expect(child.output()).toMatch(/ERROR Extensions API register failed/);
  });

  it('fails a 200 registration without an identifier', async () => {
    const address = await rawServer((socket, received) => {
      void untilRequest(received).then(() => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'));
    });
    const child = launch(address, await freePort());
    expect(await withTimeout(child.exited, 5000, 'exit')).toBe(1);
    expect(child.output()).toMatch(/register failed: HTTP 200 without a valid Lambda-Extension-Identifier/);
  });

  it('reports a failing /event/next to /extension/exit/error (Extension.EventNextFailed) and exits 1', async () => {
    const api = await startFakeExtensionsApi();
    cleanups.push(() => api.close());
    const child = launch(api.address, await freePort());
    await withTimeout(api.waitForNext(), 5000, 'GET /event/next');
    api.failNext(500);
    expect(await withTimeout(child.exited, 5000, 'exit')).toBe(1);
    expect(api.errors).toEqual([
      {
        path: '/2020-01-01/extension/exit/error',
        errorType: 'Extension.EventNextFailed',
        body: JSON.stringify({ errorMessage: 'HTTP 500', errorType: 'Extension.EventNextFailed' }),
      },
    ]);
    expect(child.output()).toMatch(/ERROR Extensions API event\/next failed: HTTP 500/);
  });

  it('ends, not loops, when the API closes the /event/next connection without an answer', async () => {
    const api = await startFakeExtensionsApi();
    const child = launch(api.address, await freePort());
    await withTimeout(api.waitForNext(), 5000, 'GET /event/next');
    await api.close();
    expect(await withTimeout(child.exited, 5000, 'exit')).toBe(1);
    expect(child.output()).toMatch(/event\/next failed: the connection closed without an answer/);
  });

  it('exits 0 at once outside Lambda (no AWS_LAMBDA_RUNTIME_API), starting nothing', async () => {
    const port = await freePort();
    const child = launch(undefined, port);
    expect(await withTimeout(child.exited, 2000, 'exit')).toBe(0);
    expect(await accepts(port)).toBe(false);
  });

  it('starts the separate server as usual for false or an invalid value', async () => {
    for (const value of ['false', 'yes']) {
      const port = await freePort();
      const child = launch(undefined, port, { [VARIABLE]: value });
      await withTimeout(
        (async () => {
          while (!(await accepts(port))) await new Promise((resolve) => setTimeout(resolve, 20));
        })(),
        10_000,
        `the separate server (${value})`,
      );
      expect(child.child.exitCode).toBeNull();
      await child.stop(1000);
      // The separate process names a bad value itself (once: the launcher's rule stays quiet).
      const warnings = child.output().match(/WARN PARAMETERS_SECRETS_EXTENSION_IN_PROCESS/g) ?? [];
      expect(warnings.length).toBe(value === 'yes' ? 1 : 0);
    }
  });
});
