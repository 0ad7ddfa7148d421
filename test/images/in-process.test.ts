import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/command.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type PrivateMoto, startPrivateMoto } from '../helpers/moto.js';
import { functionEnvironment, type SeededData, seedAwsData } from './helpers/aws-data.js';
import { LAMBDA_LIKE_USER, LambdaContainer } from './helpers/lambda-container.js';
import { baseImage, runId, settings } from './helpers/settings.js';

// In-process mode (PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true) in our images under the RIE: the
// runtime's bootstrap loads the cache into the runtime's node with --require, and the launcher in
// /opt/extensions only registers for SHUTDOWN and waits for it. The same function runs in a second
// container in the default mode (the separate process), against the same moto and data, and both
// get the same requests: every answer must be the same, status and body.
const functionDir = fileURLToPath(new URL('./fixtures/in-process', import.meta.url));

interface Answer {
  readonly status: number;
  readonly body: string;
}
/** What fixtures/in-process returns from one invoke. */
interface Report {
  readonly duringInit: Answer[];
  readonly answers: Answer[];
  readonly withClient: { stringParameter: string; secureParameter: string; secretString: string };
  readonly directPathVersion: number | null;
  readonly processes: string[];
}

interface Request {
  readonly path: string;
  readonly withToken?: boolean;
}

const parameterPath = (name: string, decrypt = false): string =>
  `/systemsmanager/parameters/get?name=${encodeURIComponent(name)}&withDecryption=${decrypt}`;
const secretPath = (id: string): string => `/secretsmanager/get?secretId=${encodeURIComponent(id)}`;

/** Hits, misses that AWS refuses, and requests the extension itself refuses. */
const requests = (data: SeededData): Request[] => [
  { path: parameterPath(data.stringParameter.name) },
  { path: parameterPath(data.secureParameter.name, true) },
  { path: parameterPath(data.secureParameter.name) },
  { path: secretPath(data.secretString.id) },
  { path: secretPath(data.secretBinary.id) },
  { path: parameterPath(`${data.stringParameter.name}/missing`) },
  { path: secretPath(`${data.secretString.id}/missing`) },
  { path: secretPath(data.secretString.id), withToken: false },
  { path: '/systemsmanager/parameters/get' },
  {
    path: `/secretsmanager/get?secretId=${encodeURIComponent(data.secretString.id)}&versionStage=AWSCURRENT&versionId=x`,
  },
  { path: '/no/such/path' },
  { path: '/ping', withToken: false },
];

/** Extension log lines carry AWS's prefix; the RIE's own lines do not. */
const EXTENSION_LINE = /^\[Parameters and Secrets Lambda Extension\].*$/gm;

function describeInProcess(major: string, arch: string): void {
  describe(`lambda-nodejs:${major} on linux/${arch}, PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true`, () => {
    let moto: PrivateMoto;
    let proxy: CountingProxy;
    let data: SeededData;
    const containers: Partial<Record<'inProcess' | 'separate', LambdaContainer>> = {};
    const reports: Partial<Record<'inProcess' | 'separate', Report[]>> = {};
    let callsAfterFirst: number;

    const start = (mode: 'inProcess' | 'separate'): Promise<LambdaContainer> =>
      LambdaContainer.start({
        image: baseImage(major),
        platform: `linux/${arch}`,
        namePrefix: `images-test-in-process-${arch}`,
        handler: 'index.handler',
        awsEndpoint: proxy.url,
        environment: {
          ...functionEnvironment(data),
          PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: mode === 'inProcess' ? 'true' : 'false',
          // The most the extension ever logs: still no value and no token may appear.
          PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'debug',
        },
        mounts: { [functionDir]: '/var/task' },
      });

    const invoke = async (mode: 'inProcess' | 'separate', sent = requests(data)): Promise<Report> => {
      const container = containers[mode] as LambdaContainer;
      const result = await container.invoke({ requests: sent });
      if (result.status !== 200 || !result.body.startsWith('{"duringInit"')) {
        throw new Error(`${mode} invoke: ${result.status} ${result.body}\n${await container.logs()}`);
      }
      const report = JSON.parse(result.body) as Report;
      const list = reports[mode] ?? [];
      list.push(report);
      reports[mode] = list;
      return report;
    };

    beforeAll(async () => {
      moto = await startPrivateMoto();
      proxy = await startCountingProxy(moto.endpoint);
      data = await seedAwsData(moto.endpoint, `${runId}-in-process-${major}-${arch}`);
      // The in-process container first and alone, so the backend calls counted are its own.
      containers.inProcess = await start('inProcess');
      await invoke('inProcess');
      callsAfterFirst = proxy.total();
      containers.separate = await start('separate');
      await invoke('separate');
    });

    afterAll(async () => {
      for (const container of Object.values(containers)) await container?.remove();
      await proxy?.close();
      await moto?.stop();
    });

    const first = (mode: 'inProcess' | 'separate'): Report => reports[mode]?.[0] as Report;

    it('runs the cache in the runtime’s node: no extension process, only the SHUTDOWN waiter in bash', () => {
      // Not anchored: under QEMU (arm64 here) a command line starts with the emulator's path.
      const { processes, directPathVersion } = first('inProcess');
      expect(processes.some((p) => p.includes('parameters-secrets-extension/index.cjs'))).toBe(false);
      expect(
        processes.filter((p) => /\bbash -p .*await-shutdown\.bash parameters-secrets-extension$/.test(p)),
      ).toHaveLength(1);
      expect(
        processes.filter((p) =>
          /\bnode .*--require \/opt\/parameters-secrets-extension\/in-process\.cjs .*aws-lambda-ric\/index\.mjs$/.test(
            p,
          ),
        ),
      ).toHaveLength(1);
      expect(directPathVersion).toBe(1);
      // And the separate mode is what it was: the extension's own node, nothing preloaded.
      const separate = first('separate');
      expect(separate.processes.some((p) => p.includes('parameters-secrets-extension/index.cjs'))).toBe(true);
      expect(separate.processes.some((p) => p.includes('in-process.cjs'))).toBe(false);
      expect(separate.directPathVersion).toBeNull();
    });

    it('answers module-level reads during INIT with the values', () => {
      const values = first('inProcess').duringInit.map((answer) => {
        expect(answer.status).toBe(200);
        const body = JSON.parse(answer.body) as {
          Parameter?: { Value: string };
          SecretString?: string;
          SecretBinary?: string;
        };
        return body.Parameter?.Value ?? body.SecretString ?? body.SecretBinary;
      });
      expect(values).toEqual([
        data.stringParameter.value,
        data.secureParameter.value,
        data.secretString.value,
        data.secretBinary.base64,
      ]);
    });

    it('gives the same answers as the separate process, status and body, at INIT and in invokes', () => {
      expect(first('inProcess').duringInit).toEqual(first('separate').duringInit);
      expect(first('inProcess').answers).toEqual(first('separate').answers);
      // The requests were not all answered alike: hits, AWS's refusals and the extension's own.
      const statuses = first('inProcess').answers.map((a) => a.status);
      expect(statuses).toEqual(expect.arrayContaining([200, 400, 401]));
    });

    it('reads the same values with the client module (by the direct path in-process)', () => {
      const expected = {
        stringParameter: data.stringParameter.value,
        secureParameter: data.secureParameter.value,
        secretString: data.secretString.value,
      };
      expect(first('inProcess').withClient).toEqual(expected);
      expect(first('separate').withClient).toEqual(expected);
    });

    it('answers the next invoke from its cache (no new AWS calls)', async () => {
      const cachedOnly = requests(data).slice(0, 5);
      const before = proxy.total();
      const again = await invoke('inProcess', cachedOnly);
      expect(again.answers).toEqual(first('inProcess').answers.slice(0, 5));
      expect(proxy.total()).toBe(before);
      expect(callsAfterFirst).toBeGreaterThan(0);
    });

    it('logs no value and no token', async () => {
      const logs = await (containers.inProcess as LambdaContainer).logs();
      expect(logs).toMatch(
        /\[Parameters and Secrets Lambda Extension\].*Listening in-process on 127\.0\.0\.1:/,
      );
      const secrets = [
        data.stringParameter.value,
        data.secureParameter.value,
        data.secretString.value,
        data.secretBinary.base64,
        (containers.inProcess as LambdaContainer).sessionToken,
      ];
      for (const secret of secrets) expect(logs).not.toContain(secret);
    });

    it('stops on docker stop within 2 s: SHUTDOWN reaches the waiter, exit code 0', async () => {
      const container = containers.inProcess as LambdaContainer;
      const { elapsedMs, exitCode } = await container.stop();
      const extensionLines = (await container.logs()).match(EXTENSION_LINE) ?? [];
      expect(exitCode).toBe(0);
      expect(elapsedMs).toBeLessThan(2000);
      expect(
        extensionLines.some((line) => /Shutting down \(SHUTDOWN event, .*in-process mode\)/.test(line)),
      ).toBe(true);
      // (The ERROR lines of the refused names above are AWS's extension's too; none about the lifecycle.)
      expect(extensionLines.filter((line) => / ERROR .*Extensions API/.test(line))).toEqual([]);
    });
  });
}

/**
 * The runtime's bootstrap on its own, in a throw-away container: AWS_LAMBDA_EXEC_WRAPPER=/bin/echo
 * prints the command line the bootstrap would run (`node <flags> <entry>`) instead of starting it.
 * `hideLauncher` mounts an empty /opt/extensions, as in an image whose Dockerfile deleted the launcher.
 */
async function bootstrapCommand(
  major: string,
  arch: string,
  value: string,
  hideLauncher = false,
): Promise<{ stdout: string; stderr: string }> {
  const args = ['run', '--rm', '--quiet', '--pull', 'always', '--platform', `linux/${arch}`];
  args.push('--network', 'none', '--read-only');
  args.push('--user', LAMBDA_LIKE_USER, '--entrypoint', '/var/runtime/bootstrap');
  args.push('--env', `PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=${value}`);
  args.push('--env', 'AWS_LAMBDA_EXEC_WRAPPER=/bin/echo', '--env', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128');
  if (hideLauncher) args.push('--tmpfs', '/opt/extensions');
  args.push(baseImage(major));
  const { stdout, stderr } = await runCommand('docker', args, { timeoutMs: 120_000 });
  return { stdout: stdout.toString().trim(), stderr };
}

function describeBootstrap(major: string, arch: string): void {
  describe(`lambda-nodejs:${major} on linux/${arch}: the bootstrap's switch`, () => {
    const ric = '/var/runtime/node_modules/aws-lambda-ric/index.mjs';
    const flags = 'node --expose-gc --max-http-header-size 81920 --max-old-space-size=115';

    it('requires in-process.cjs before aws-lambda-ric for true (any case), through the exec wrapper', async () => {
      for (const value of ['true', ' TRUE ']) {
        const { stdout, stderr } = await bootstrapCommand(major, arch, value);
        expect(stdout).toBe(`${flags} --require /opt/parameters-secrets-extension/in-process.cjs ${ric}`);
        expect(stderr).toBe('');
      }
    });

    it('leaves the command line as it is for false, and for a bad value (the separate process warns)', async () => {
      for (const value of ['false', 'yes']) {
        const { stdout, stderr } = await bootstrapCommand(major, arch, value);
        expect(stdout).toBe(`${flags} ${ric}`);
        expect(stderr).toBe('');
      }
    });

    it('warns about a bad value itself when no launcher is in /opt/extensions', async () => {
      const { stdout, stderr } = await bootstrapCommand(major, arch, 'yes', true);
      expect(stdout).toBe(`${flags} ${ric}`);
      expect(stderr).toMatch(
        /^\[Parameters and Secrets Lambda Extension\] \S+ \S+ WARN PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is "yes", not true or false\. Using false/,
      );
    });
  });
}

for (const major of settings.nodeMajors) {
  for (const arch of settings.architectures) {
    describeBootstrap(major, arch);
    describeInProcess(major, arch);
  }
}
