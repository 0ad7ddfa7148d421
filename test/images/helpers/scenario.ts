import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../../helpers/counting-proxy.js';
import { elfMachineOf, expectedElfMachine } from '../../helpers/elf.js';
import { type PrivateMoto, startPrivateMoto } from '../../helpers/moto.js';
import { functionEnvironment, type SeededData, seedAwsData } from './aws-data.js';
import { type InvokeResult, LambdaContainer, runInImage } from './lambda-container.js';
import { runId } from './settings.js';

/** What fixtures/function returns from one invoke. */
interface Read {
  readonly status: number;
  readonly value?: string;
}
interface FunctionReport {
  readonly node: string;
  readonly arch: string;
  readonly uid: number;
  readonly duringInit: Read;
  readonly stringParameter: Read;
  readonly secureParameter: Read;
  readonly secretString: Read;
  readonly secretBinary: Read;
  readonly withoutToken: { readonly status: number; readonly body: string };
  /** The same reads with the client module (/opt/nodejs/node_modules/parameters-secrets). */
  readonly withClient: {
    readonly stringParameter: string;
    readonly secureParameter: string;
    readonly secretString: string;
    readonly secretBinary: string;
    readonly secretJson: unknown;
    /** getParameters (decrypted, one name missing) and getSecrets of the string and the binary secret. */
    readonly batch: {
      readonly values: Record<string, string>;
      readonly invalid: string[];
      readonly secretValues: Record<string, string>;
      readonly secretBinary: string;
    };
    readonly missing: { readonly code: string; readonly status: number; readonly sameClass: boolean };
  };
}

export interface ScenarioOptions {
  /** Function image: the fixture function on the image under test. */
  readonly image: () => string;
  readonly arch: string;
  /** The Node.js major the function must run on. */
  readonly nodeMajor: string;
  readonly handler: string;
  /** Path of the aws-lambda-ric addon inside the image. */
  readonly addonPath: string;
  /** Read-only bind mounts for the container, host path -> container path. */
  readonly mounts?: Record<string, string>;
}

/** Extension log lines carry AWS's prefix; the RIE's own lines do not. */
const EXTENSION_LINE = /^\[Parameters and Secrets Lambda Extension\].*$/gm;

/**
 * The scenario every image must pass under the RIE: reads through the extension (INIT and INVOKE),
 * the cache, the token check, the files in /opt/extensions and the addon's architecture, and a
 * clean SHUTDOWN on `docker stop`. Steps run in order against one container.
 */
export function describeLambdaScenario(title: string, options: ScenarioOptions): void {
  const platform = `linux/${options.arch}`;
  describe(title, () => {
    let moto: PrivateMoto;
    let proxy: CountingProxy;
    let data: SeededData;
    let container: LambdaContainer;
    let first: InvokeResult;
    let report: FunctionReport;

    beforeAll(async () => {
      moto = await startPrivateMoto();
      proxy = await startCountingProxy(moto.endpoint);
      data = await seedAwsData(moto.endpoint, `${runId}-${title.replace(/[^a-zA-Z0-9]+/g, '-')}`);
      container = await LambdaContainer.start({
        image: options.image(),
        platform,
        namePrefix: `images-test-${options.arch}`,
        handler: options.handler,
        awsEndpoint: proxy.url,
        environment: functionEnvironment(data),
        ...(options.mounts === undefined ? {} : { mounts: options.mounts }),
      });
      first = await container.invoke({ step: 1 });
      if (first.status !== 200) {
        throw new Error(`first invoke: ${first.status} ${first.body}\n${await container.logs()}`);
      }
      report = JSON.parse(first.body) as FunctionReport;
    });

    afterAll(async () => {
      await container?.remove();
      await proxy?.close();
      await moto?.stop();
    });

    it(`runs the function on Node.js ${options.nodeMajor}, ${options.arch}, as a non-root uid`, () => {
      expect(report.node).toMatch(new RegExp(`^v${options.nodeMajor}\\.`));
      expect(report.arch).toBe(options.arch === 'amd64' ? 'x64' : 'arm64');
      expect(report.uid).toBe(23456);
    });

    it('reads a String parameter, a decrypted SecureString, a secret string and a binary secret', () => {
      expect(report.stringParameter).toEqual({ status: 200, value: data.stringParameter.value });
      expect(report.secureParameter).toEqual({ status: 200, value: data.secureParameter.value });
      expect(report.secretString).toEqual({ status: 200, value: data.secretString.value });
      expect(report.secretBinary).toEqual({ status: 200, value: data.secretBinary.base64 });
    });

    it('reads the same values with the client module in the image, by import and by require, one by one and in batches', () => {
      expect(report.withClient).toEqual({
        stringParameter: data.stringParameter.value,
        secureParameter: data.secureParameter.value,
        secretString: data.secretString.value,
        secretBinary: data.secretBinary.base64,
        secretJson: JSON.parse(data.secretString.value),
        batch: {
          values: {
            [data.stringParameter.name]: data.stringParameter.value,
            [data.secureParameter.name]: data.secureParameter.value,
          },
          invalid: [`${data.stringParameter.name}/missing`],
          secretValues: { [data.secretString.id]: data.secretString.value },
          secretBinary: data.secretBinary.base64,
        },
        missing: { code: 'ParameterNotFound', status: 400, sameClass: true },
      });
    });

    it('answered during INIT (module-level code)', () => {
      expect(report.duringInit).toEqual({ status: 200, value: data.stringParameter.value });
    });

    it('refuses a request without the token, from inside the function', () => {
      expect([401, 403]).toContain(report.withoutToken.status);
      expect(report.withoutToken.body).not.toContain(data.secretString.value);
    });

    it('answers the second invoke from its cache (no new AWS calls)', async () => {
      const callsAfterFirst = proxy.total();
      expect(callsAfterFirst).toBeGreaterThan(0);
      const second = await container.invoke({ step: 2 });
      expect(second.status).toBe(200);
      const again = JSON.parse(second.body) as FunctionReport;
      expect(again.secureParameter.value).toBe(data.secureParameter.value);
      expect(again.secretBinary.value).toBe(data.secretBinary.base64);
      expect(proxy.total()).toBe(callsAfterFirst);
    });

    it('has only executable regular files in /opt/extensions', async () => {
      const listing = (
        await runInImage(options.image(), platform, [
          'find',
          '/opt/extensions',
          '-mindepth',
          '1',
          '-maxdepth',
          '1',
          '-printf',
          '%y %m %f\\n',
        ])
      )
        .toString()
        .trim()
        .split('\n');
      expect(listing.length).toBeGreaterThan(0);
      for (const entry of listing) {
        const [type, mode, name] = entry.split(' ');
        expect(type, name).toBe('f');
        // Executable and readable by any uid: Lambda's user owns none of the image's files.
        expect(Number.parseInt(mode ?? '0', 8) & 0o005, name).toBe(0o005);
      }
      expect(listing.map((entry) => entry.split(' ')[2])).toContain('parameters-secrets-extension');
    });

    it(`has the aws-lambda-ric addon compiled for ${options.arch}`, async () => {
      const addon = await runInImage(options.image(), platform, ['cat', options.addonPath]);
      expect(elfMachineOf(addon)).toBe(expectedElfMachine(options.arch));
    });

    it('stops on docker stop within 2 s: SHUTDOWN reaches the extension, exit code 0', async () => {
      const { elapsedMs, exitCode } = await container.stop();
      const extensionLines = (await container.logs()).match(EXTENSION_LINE) ?? [];
      expect(exitCode).toBe(0);
      expect(elapsedMs).toBeLessThan(2000);
      // The event, not a signal: the RIE sends SHUTDOWN and the extension logs it before exiting.
      expect(extensionLines.some((line) => /SHUTDOWN/.test(line))).toBe(true);
    });
  });
}
