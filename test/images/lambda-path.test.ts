import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/command.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait.js';
import { LAMBDA_LIKE_USER } from './helpers/lambda-container.js';
import { baseImage, settings } from './helpers/settings.js';

// The path every other test skips: on Lambda, AWS_LAMBDA_RUNTIME_API is set, so the entrypoint must
// exec /var/runtime/bootstrap directly (no RIE in the container). Here the Runtime API is served by
// the lab's RIE binary on the host, whose "bootstrap" is `docker run <image> index.handler` with
// AWS_LAMBDA_RUNTIME_API passed in: the container then talks to the host, as a function talks to Lambda.
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const hostArch = process.arch === 'arm64' ? 'arm64' : 'amd64';

/** What Lambda (here the host RIE) gives the runtime; aws-lambda-ric refuses to start without most of it. */
const LAMBDA_ENVIRONMENT = [
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_REGION',
];

function labRieBinary(): string {
  if (process.env.LAB_RIE !== undefined) return process.env.LAB_RIE;
  const versions = readFileSync(here('../../lab/versions.env'), 'utf8');
  const version = /^RIE_VERSION=(\S+)$/m.exec(versions)?.[1];
  if (version === undefined) throw new Error('RIE_VERSION not found in lab/versions.env');
  return `/var/cache/lambda-nodejs-lab/rie/${version}/${hostArch}/aws-lambda-rie`;
}

describe.each(settings.nodeMajors)(
  'lambda-nodejs:%s with AWS_LAMBDA_RUNTIME_API set (the Lambda path)',
  (major) => {
    const name = `images-test-lambda-path-${randomBytes(4).toString('hex')}`;
    const workDir = mkdtempSync(join(tmpdir(), 'images-test-lambda-path-'));
    let rie: ChildProcess;
    let rieOutput = '';
    let invokePort: number;
    let runtimeApiPort: number;

    beforeAll(async () => {
      [invokePort, runtimeApiPort] = await Promise.all([freePort(), freePort()]);
      // The RIE execs this with AWS_LAMBDA_RUNTIME_API in its environment; `-e VAR` forwards it.
      const bootstrap = join(workDir, 'bootstrap');
      const dockerRun = [
        'exec docker run --rm --name',
        name,
        `--platform linux/${hostArch} --pull always --network host`,
        `--read-only --tmpfs /tmp --user ${LAMBDA_LIKE_USER} ${LAMBDA_ENVIRONMENT.map((variable) => `-e ${variable}`).join(' ')}`,
        `--mount type=bind,source=${here('./fixtures/echo')},target=/var/task,readonly`,
        baseImage(major),
        'index.handler',
      ].join(' ');
      writeFileSync(bootstrap, `#!/bin/sh\n${dockerRun}\n`);
      chmodSync(bootstrap, 0o755);
      rie = spawn(
        labRieBinary(),
        [
          '--runtime-interface-emulator-address',
          `127.0.0.1:${invokePort}`,
          '--runtime-api-address',
          `127.0.0.1:${runtimeApiPort}`,
          bootstrap,
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            AWS_LAMBDA_FUNCTION_TIMEOUT: '60',
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
            AWS_REGION: 'us-east-1',
          },
        },
      );
      const collect = (chunk: Buffer): void => {
        rieOutput = `${rieOutput}${chunk.toString()}`.slice(-20_000);
      };
      rie.stdout?.on('data', collect);
      rie.stderr?.on('data', collect);
      await waitFor(
        `the host RIE on 127.0.0.1:${invokePort}`,
        async () => {
          if (rie.exitCode !== null) throw new Error(`RIE exited ${rie.exitCode}: ${rieOutput}`);
          const probe = await fetch(`http://127.0.0.1:${invokePort}/`, { signal: AbortSignal.timeout(1000) });
          await probe.body?.cancel();
          return true;
        },
        30_000,
      );
    });

    afterAll(async () => {
      if (rie !== undefined && rie.exitCode === null) {
        rie.kill('SIGTERM');
        await waitFor(
          'the host RIE to exit',
          async () => (rie.exitCode !== null || rie.signalCode !== null ? true : undefined),
          10_000,
        ).catch(() => rie.kill('SIGKILL'));
      }
      await runCommand('docker', ['rm', '--force', name], { timeoutMs: 30_000, allowFailure: true });
      rmSync(workDir, { recursive: true, force: true });
    });

    it('runs the handler through /var/runtime/bootstrap against the given Runtime API, without an RIE inside', async () => {
      const response = await fetch(
        `http://127.0.0.1:${invokePort}/2015-03-31/functions/function/invocations`,
        {
          method: 'POST',
          body: JSON.stringify({ hello: 'lambda' }),
          signal: AbortSignal.timeout(120_000),
        },
      );
      const body = await response.text();
      expect(response.status, rieOutput).toBe(200);
      const report = JSON.parse(body);
      expect(report.event).toEqual({ hello: 'lambda' });
      // The host's Runtime API address reached the runtime unchanged: no emulator was put in between.
      expect(report.runtimeApi).toBe(`127.0.0.1:${runtimeApiPort}`);
      expect(report.handler).toBe('index.handler');
      expect(report.node).toMatch(new RegExp(`^v${major}\\.`));
      expect(report.executionEnv).toBe(`AWS_Lambda_nodejs${major}.x`);
      expect(report.taskRoot).toBe('/var/task');
      expect(report.cwd).toBe('/var/task');
      // The bootstrap sizes the heap from the function's memory (90% of 512 MB).
      expect(report.execArgv).toEqual(expect.arrayContaining(['--expose-gc', '--max-old-space-size=460']));
    });
  },
);
