import { fileURLToPath } from 'node:url';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type PrivateMoto, startPrivateMoto } from '../helpers/moto.js';
import { functionEnvironment, type SeededData, seedAwsData } from './helpers/aws-data.js';
import { type InvokeResult, LambdaContainer, ROOT_USER } from './helpers/lambda-container.js';
import { baseImage, runId, settings } from './helpers/settings.js';

// Lambda Managed Instances: one execution environment serves many invocations at once. With
// AWS_LAMBDA_MAX_CONCURRENCY set, the RIE switches to its emulation of that mode (INIT at start-up,
// concurrent invokes accepted) and aws-lambda-ric runs the handler in worker threads, each with its
// own INIT. The emulator's process supervisor starts the runtime and the extensions as uid 993 /
// gid 990 itself, which needs root: these containers run as root (as any other uid the extension
// fails with "fork/exec ...: operation not permitted"). Nothing here is frozen between invokes.
const functionDir = fileURLToPath(new URL('./fixtures/concurrent', import.meta.url));

/** Worker threads of the runtime (aws-lambda-ric defaults to 8 per CPU; 4 keeps arm64 under QEMU quick). */
const WORKERS = 4;
const MAX_CONCURRENCY = 16;
/** Concurrent invokes in the burst: more than the workers, so each worker runs several at once. */
const BURST = 16;
/**
 * Parameter Store TTL for the run (s): long enough for INIT and the burst, short enough to wait out.
 * arm64 runs under QEMU, several times slower.
 */
const ssmTtlSeconds = (arch: string): number => (arch === 'amd64' ? 8 : 30);
/** Delay on every AWS answer during INIT, so the workers' INIT reads are surely in flight together. */
const INIT_BACKEND_DELAY_MS = 1_000;
/** The uid:gid the emulator's supervisor gives the runtime and the extensions. */
const SUPERVISED_UID = 993;

type Values = Record<
  'stringParameter' | 'secureParameter' | 'secretString' | 'secretBinary' | 'onNewConnection',
  string
>;
interface Reads {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly values: Values;
}
/** What fixtures/concurrent returns from one invoke. */
interface Answer {
  readonly pid: number;
  readonly threadId: number;
  readonly uid: number;
  readonly node: string;
  readonly arch: string;
  readonly init: Reads;
  readonly reads: Reads;
  readonly separateExtension: boolean;
}

const expected = (data: SeededData): Values => ({
  stringParameter: data.stringParameter.value,
  secureParameter: data.secureParameter.value,
  secretString: data.secretString.value,
  secretBinary: data.secretBinary.base64,
  onNewConnection: data.stringParameter.value,
});

/**
 * One invoke, sent again while the emulator refuses it with 400 Runtime.Unavailable: it accepts an
 * invoke only while a runtime worker is waiting for one (each worker asks for the next invoke as soon
 * as it started the last), as Lambda refuses invokes when every worker is busy. Bounded.
 */
async function invokeAccepted(container: LambdaContainer, payload: unknown): Promise<InvokeResult> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await container.invoke(payload);
    const refused = result.status === 400 && result.body.includes('Runtime.Unavailable');
    if (!refused || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function invokeAll(container: LambdaContainer, count: number, holdMs: number): Promise<Answer[]> {
  const results = await Promise.all(
    Array.from({ length: count }, () => invokeAccepted(container, { holdMs })),
  );
  return results.map((result) => {
    const answer = result.status === 200 ? (JSON.parse(result.body) as Partial<Answer>) : {};
    if (answer.reads === undefined) throw new Error(`invoke answered ${result.status}: ${result.body}`);
    return answer as Answer;
  });
}

/** The most intervals that contain one instant (each interval's start is checked). */
function maxOverlap(intervals: readonly { startedAt: number; endedAt: number }[]): number {
  return Math.max(
    ...intervals.map(
      (a) => intervals.filter((b) => b.startedAt <= a.startedAt && a.startedAt < b.endedAt).length,
    ),
  );
}

async function putStringParameter(endpoint: string, name: string, value: string): Promise<void> {
  const ssm = new SSMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test', sessionToken: 'seed' },
  });
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  } finally {
    ssm.destroy();
  }
}

/**
 * The extension as a process of its own (the default), or in-process
 * (PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true): then the cache runs in the runtime's main thread, and
 * the workers, in which the in-process module does nothing, read it over HTTP like any other reader.
 */
type Mode = 'separate' | 'in-process';

function describeManagedInstances(major: string, arch: string, mode: Mode): void {
  const title = `lambda-nodejs:${major} on linux/${arch}, AWS_LAMBDA_MAX_CONCURRENCY=${MAX_CONCURRENCY}${mode === 'in-process' ? ', PARAMETERS_SECRETS_EXTENSION_IN_PROCESS=true' : ''}`;
  describe(title, () => {
    let moto: PrivateMoto;
    let proxy: CountingProxy;
    let data: SeededData;
    let container: LambdaContainer;
    let burst: Answer[];
    let burstEndedAt: number;
    let afterBurst: { parameters: number; secrets: number };

    beforeAll(async () => {
      moto = await startPrivateMoto();
      proxy = await startCountingProxy(moto.endpoint);
      data = await seedAwsData(moto.endpoint, `${runId}-managed-${mode}-${major}-${arch}`);
      proxy.setDelay(INIT_BACKEND_DELAY_MS);
      container = await LambdaContainer.start({
        image: baseImage(major),
        platform: `linux/${arch}`,
        namePrefix: `images-test-managed-${mode}-${arch}`,
        handler: 'index.handler',
        awsEndpoint: proxy.url,
        user: ROOT_USER,
        environment: {
          ...functionEnvironment(data),
          AWS_LAMBDA_MAX_CONCURRENCY: String(MAX_CONCURRENCY),
          AWS_LAMBDA_NODEJS_WORKER_COUNT: String(WORKERS),
          SSM_PARAMETER_STORE_TTL: String(ssmTtlSeconds(arch)),
          // Plain TTL semantics for the TTL test below: refresh-ahead is on by default in this mode
          // (its own behaviour is tested in test/integration, its default in the config unit test).
          PARAMETERS_SECRETS_EXTENSION_REFRESH_AHEAD: '0',
          // The most the extension ever logs: still no value and no token may appear.
          PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'debug',
          PARAMETERS_SECRETS_EXTENSION_IN_PROCESS: String(mode === 'in-process'),
        },
        mounts: { [functionDir]: '/var/task' },
      });
      try {
        // The first invoke waits for INIT (every worker's module code); then the backend answers at once.
        const first = await invokeAccepted(container, {});
        proxy.setDelay(0);
        if (first.status !== 200) throw new Error(`first invoke: ${first.status} ${first.body}`);
        burst = await invokeAll(container, BURST, 300);
        burstEndedAt = Date.now();
        afterBurst = { parameters: proxy.count('GetParameter'), secrets: proxy.count('GetSecretValue') };
      } catch (error) {
        const logs = (await container.logs())
          .split('\n')
          .filter((line) => !line.includes('no ready runtimes'));
        throw new Error(`${(error as Error).message}\n${logs.slice(-60).join('\n')}`);
      }
    });

    afterAll(async () => {
      await container?.remove();
      await proxy?.close();
      await moto?.stop();
    });

    it(`runs the handler in several worker threads of one Node.js ${major} process (${arch}, uid ${SUPERVISED_UID})`, () => {
      expect(new Set(burst.map((a) => a.pid)).size).toBe(1);
      expect(new Set(burst.map((a) => a.threadId)).size).toBeGreaterThan(1);
      for (const answer of burst) {
        expect(answer.node).toMatch(new RegExp(`^v${major}\\.`));
        expect(answer.arch).toBe(arch === 'amd64' ? 'x64' : 'arm64');
        expect(answer.uid).toBe(SUPERVISED_UID);
        // In-process mode: the cache is the runtime's own, no extension process runs beside it.
        expect(answer.separateExtension).toBe(mode === 'separate');
      }
    });

    it('turns every worker’s INIT reads of the same keys into one backend call per key', () => {
      const workers = new Map(burst.map((a) => [a.threadId, a.init]));
      for (const init of workers.values()) expect(init.values).toEqual(expected(data));
      // The INIT reads of different workers were in flight at the same time (the backend was slowed
      // down), so one backend call per key means concurrent misses were joined, not merely cached.
      expect(maxOverlap([...workers.values()])).toBeGreaterThan(1);
      // Two parameters (String, SecureString) and two secrets, each fetched once for all workers.
      expect(afterBurst).toEqual({ parameters: 2, secrets: 2 });
    });

    it(`answers ${BURST} concurrent invokes from the one shared cache`, () => {
      const storedAt = proxy.calls('GetParameter')[0]?.endedAt ?? Number.NaN;
      // The burst must fit in the TTL, or a refresh would be expected here.
      expect(burstEndedAt - storedAt).toBeLessThan(ssmTtlSeconds(arch) * 1000);
      for (const answer of burst) expect(answer.reads.values).toEqual(expected(data));
      // Invokes ran at the same time inside the environment, not one after the other.
      expect(maxOverlap(burst.map((a) => a.reads))).toBeGreaterThan(1);
    });

    it('answers a lone invoke that needs libuv’s pool (DNS of localhost) while the other workers wait', async () => {
      // Every worker is idle now, each waiting for its next invoke in a call that holds a pool
      // thread; the bootstrap sized the pool for that (UV_THREADPOOL_SIZE), or this read would hang.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const lone = await invokeAccepted(container, {});
      expect(lone.status).toBe(200);
      expect((JSON.parse(lone.body) as Answer).reads.values.onNewConnection).toBe(data.stringParameter.value);
      expect(lone.elapsedMs).toBeLessThan(3000);
    });

    it('follows the TTL when a value changes in AWS: cached until it expires, then one refresh per key', async () => {
      const parameterCalls = proxy.calls('GetParameter');
      const storedAt = Math.max(...parameterCalls.map((c) => c.endedAt ?? Number.NaN));
      const expiresAt = storedAt + ssmTtlSeconds(arch) * 1000;
      const newValue = `changed ${runId}`;
      await putStringParameter(moto.endpoint, data.stringParameter.name, newValue);
      const changedAt = Date.now();
      expect(changedAt).toBeLessThan(expiresAt - 1000);

      const seen: { sentAt: number; receivedAt: number; value: string }[] = [];
      // The extension stored the value a moment after moto's answer passed the proxy: by this time
      // the entry has expired for sure.
      const refreshedBy = expiresAt + 1000;
      const deadline = expiresAt + 15_000;
      // Rounds of concurrent invokes until a round sent after refreshedBy has only the new value (bounded).
      while (Date.now() < deadline) {
        const sentAt = Date.now();
        const round = await invokeAll(container, 8, 0);
        const receivedAt = Date.now();
        for (const answer of round)
          seen.push({ sentAt, receivedAt, value: answer.reads.values.stringParameter });
        if (sentAt > refreshedBy && round.every((a) => a.reads.values.stringParameter === newValue)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const beforeExpiry = seen.filter((s) => s.receivedAt < expiresAt);
      const afterExpiry = seen.filter((s) => s.sentAt > refreshedBy);
      expect(beforeExpiry.length).toBeGreaterThan(0);
      expect(afterExpiry.length).toBeGreaterThan(0);
      for (const s of beforeExpiry) expect(s.value).toBe(data.stringParameter.value);
      for (const s of afterExpiry) expect(s.value).toBe(newValue);
      // Each of the two parameters expired once; concurrent readers shared one refresh. Secrets
      // (default TTL, 300 s) were not fetched again.
      expect(proxy.count('GetParameter')).toBe(afterBurst.parameters + 2);
      expect(proxy.count('GetSecretValue')).toBe(afterBurst.secrets);
    });

    it('logs no value and no token', async () => {
      const logs = await container.logs();
      expect(logs).toMatch(/\[Parameters and Secrets Lambda Extension\]/);
      const secrets = [...Object.values(expected(data)), `changed ${runId}`, container.sessionToken];
      for (const secret of secrets) expect(logs).not.toContain(secret);
    });

    it('stops on docker stop: SHUTDOWN reaches the extension, exit code 0', async () => {
      const { elapsedMs, exitCode } = await container.stop();
      const logs = await container.logs();
      expect(exitCode).toBe(0);
      expect(elapsedMs).toBeLessThan(5000);
      expect(logs).toMatch(/\[Parameters and Secrets Lambda Extension\].*Shutting down \(SHUTDOWN event/);
    });
  });
}

for (const major of settings.nodeMajors) {
  for (const arch of settings.architectures) {
    for (const mode of ['separate', 'in-process'] as const) describeManagedInstances(major, arch, mode);
  }
}
