/**
 * 5. Cold start under the RIE, on this machine's architecture only: the init duration the RIE logs
 * (`INIT REPORT(durationMs: …)`; its REPORT line's `Init Duration` reads 0.1 ms in this version) and the client-side time of the first invoke, for a function that does not use the
 * extension on our Node 22 image with and without the extension (bench/coldstart/Dockerfile: the same
 * build, EXTENSION=keep|remove; the working tree's extension replaces the image's), and for the example function (examples/index.mjs: reads a parameter
 * through the extension during INIT, a secret per invoke) on the image with it.
 * Containers run as the image tests run them: host network (the lab engine has no bridge), read-only
 * root, /tmp only, an arbitrary uid, every port moved to a free one.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BASE_REPOSITORY, docker, imageExists, machineArch, REGISTRY } from '../lib/docker.js';
import { waitAccepting } from '../lib/http-probe.js';
import { awsEnv, EXAMPLE_PARAMETER, EXAMPLE_SECRET, withFixtures } from '../lib/moto.js';
import { freePort, REPO_ROOT, sleep } from '../lib/processes.js';
import { fixed, median } from '../lib/stats.js';
import type { Table } from '../lib/table.js';

export const BASE_TAG = '22';
/** Where the function images go (BENCH_FUNCTION_REPOSITORY: runs in parallel must not share one). */
const BENCH_REPOSITORY = process.env.BENCH_FUNCTION_REPOSITORY ?? 'bench/function';

export interface Invoked {
  readonly initMs: number;
  readonly firstInvokeMs: number;
  readonly secondInvokeMs: number;
  /** The RIE's INIT START → last extension registered: what /opt/extensions costs before the runtime starts. */
  readonly extensionsPhaseMs: number;
}

/** ms of the day of each RIE log line with `text` (`01 Dec 2026 10:24:38,937 [INFO] (rapid) <text>`). */
function rieTimes(logs: string, text: string): number[] {
  const line = new RegExp(`(\\d\\d):(\\d\\d):(\\d\\d),(\\d{3}) \\[INFO\\] \\(rapid\\) ${text}`, 'g');
  return [...logs.matchAll(line)].map((match) => {
    const [h, m, sec, ms] = match.slice(1).map(Number) as [number, number, number, number];
    return ((h * 60 + m) * 60 + sec) * 1000 + ms;
  });
}

/**
 * INIT START → the last extension registered, from the RIE's log (ms resolution): the RIE starts the
 * runtime right after that (0 when no extension registered: it starts the runtime at once).
 */
function extensionsPhase(logs: string): number {
  const [start] = rieTimes(logs, 'INIT START');
  const registered = rieTimes(logs, 'External agent .* registered');
  if (start === undefined) return Number.NaN;
  return registered.length === 0 ? 0 : Math.max(...registered) - start;
}

/** bench/coldstart/Dockerfile's EXTENSION: with the extension, without it, or in-process mode's files only. */
export type Variant = 'keep' | 'remove' | 'in-process-only';
const VARIANT_TAGS: Record<Variant, string> = {
  keep: 'with-extension',
  remove: 'without-extension',
  'in-process-only': 'in-process-only',
};

export async function build(variant: Variant, platform: string): Promise<string> {
  const tag = `${REGISTRY}/${BENCH_REPOSITORY}:node${BASE_TAG}-${VARIANT_TAGS[variant]}`;
  await docker(
    [
      'buildx',
      'build',
      '--builder',
      process.env.IMAGES_BUILDER ?? 'lab',
      '--platform',
      platform,
      '--provenance=false',
      '--build-arg',
      `BASE=${REGISTRY}/${BASE_REPOSITORY}:${BASE_TAG}`,
      '--build-arg',
      `EXTENSION=${variant}`,
      '--build-context',
      `examples=${join(REPO_ROOT, 'examples')}`,
      '--build-context',
      `bundle=${join(REPO_ROOT, 'dist/extension')}`,
      '--build-context',
      `launcher=${join(REPO_ROOT, 'extension/bin')}`,
      '--build-context',
      `client=${join(REPO_ROOT, 'dist/client')}`,
      '--tag',
      tag,
      '--push',
      join(REPO_ROOT, 'bench/coldstart'),
    ],
    600_000,
  );
  await docker(['pull', '--quiet', '--platform', platform, tag], 300_000);
  return tag;
}

export async function invoke(port: number, event: unknown = {}): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/2015-03-31/functions/function/invocations`, {
    method: 'POST',
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(60_000),
  });
  const body = await response.text();
  if (response.status !== 200 || body.includes('errorType'))
    throw new Error(`invoke: ${response.status} ${body}`);
  return performance.now() - t0;
}

export interface FunctionContainer {
  readonly name: string;
  readonly invokePort: number;
  /** The container's first process (the RIE), to find its cgroup. */
  readonly pid: number;
  logs(): Promise<string>;
  stop(): Promise<void>;
  /** Removes the container and throws `error` with the end of its logs appended. */
  fail(error: unknown): Promise<never>;
}

/** Starts a function container under the RIE and waits until the RIE accepts invokes. */
export async function startFunction(
  image: string,
  platform: string,
  handler: string,
  environment: Record<string, string> = {},
): Promise<FunctionContainer> {
  const [invokePort, runtimePort, extensionPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const name = `bench-coldstart-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    ...awsEnv(),
    LAMBDA_RIE_OPTIONS: `--runtime-interface-emulator-address 127.0.0.1:${invokePort} --runtime-api-address 127.0.0.1:${runtimePort}`,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extensionPort),
    AWS_SESSION_TOKEN: `bench-${randomBytes(8).toString('hex')}`,
    AWS_LAMBDA_FUNCTION_TIMEOUT: '30',
    PARAMETER_NAME: EXAMPLE_PARAMETER,
    SECRET_ID: EXAMPLE_SECRET,
    ...environment,
  };
  const args = ['run', '--detach', '--name', name, '--platform', platform, '--pull', 'never'];
  args.push('--network', 'host', '--read-only', '--tmpfs', '/tmp', '--user', '23456:23456');
  for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`);
  args.push(image, handler);
  const logs = (): Promise<string> => docker(['logs', name], 10_000, true);
  const stop = async (): Promise<void> => {
    await docker(['rm', '--force', name], 30_000).catch(() => undefined);
  };
  const fail = async (error: unknown): Promise<never> => {
    const tail = await logs().catch(() => '');
    await stop();
    throw new Error(`${(error as Error).message}\n${tail.slice(-3000)}`);
  };
  try {
    await docker(args, 60_000);
    (await waitAccepting(invokePort, 30_000)).destroy();
    const pid = Number((await docker(['inspect', '--format', '{{.State.Pid}}', name], 10_000)).trim());
    return { name, invokePort, pid, logs, stop, fail };
  } catch (error) {
    return fail(error);
  }
}

export async function coldStart(
  image: string,
  platform: string,
  handler: string,
  environment: Record<string, string> = {},
): Promise<Invoked> {
  const container = await startFunction(image, platform, handler, environment);
  try {
    const firstInvokeMs = await invoke(container.invokePort);
    const secondInvokeMs = await invoke(container.invokePort);
    let initMs = Number.NaN;
    let logs = '';
    for (let i = 0; i < 50 && Number.isNaN(initMs); i++) {
      logs = await container.logs();
      // This RIE's REPORT line says `Init Duration: 0.11 ms` (it counts init into Duration instead);
      // its own `INIT REPORT(durationMs: …)` line carries the real init time.
      const match =
        /INIT REPORT\(durationMs: ([\d.]+)\)/.exec(logs) ?? /Init Duration: ([\d.]+) ms/.exec(logs);
      if (match !== null) initMs = Number(match[1]);
      else await sleep(100);
    }
    if (Number.isNaN(initMs)) throw new Error(`no init duration in the logs of ${container.name}`);
    await container.stop();
    return { initMs, firstInvokeMs, secondInvokeMs, extensionsPhaseMs: extensionsPhase(logs) };
  } catch (error) {
    return container.fail(error);
  }
}

export async function coldStartSection(table: Table, reps: number): Promise<void> {
  if (!(await imageExists(BASE_REPOSITORY, BASE_TAG))) {
    table.note(
      `5 cold start: not measured, ${REGISTRY}/${BASE_REPOSITORY}:${BASE_TAG} is missing (run make images).`,
    );
    return;
  }
  const platform = `linux/${machineArch()}`;
  const withExtension = await build('keep', platform);
  const withoutExtension = await build('remove', platform);
  const runs = { with: [] as Invoked[], without: [] as Invoked[], example: [] as Invoked[] };
  // One unmeasured start of each warms the page cache and the engine.
  await coldStart(withExtension, platform, 'hello.handler');
  await coldStart(withoutExtension, platform, 'hello.handler');
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      runs.with.push(await coldStart(withExtension, platform, 'hello.handler'));
      runs.without.push(await coldStart(withoutExtension, platform, 'hello.handler'));
    } else {
      runs.without.push(await coldStart(withoutExtension, platform, 'hello.handler'));
      runs.with.push(await coldStart(withExtension, platform, 'hello.handler'));
    }
    runs.example.push(await withFixtures(() => coldStart(withExtension, platform, 'index.handler')));
  }
  const m = (list: Invoked[], key: keyof Invoked): number => median(list.map((r) => r[key]));
  const addedInit = m(runs.with, 'initMs') - m(runs.without, 'initMs');
  const addedFirst = m(runs.with, 'firstInvokeMs') - m(runs.without, 'firstInvokeMs');
  const n = `${platform}, median of ${reps}`;
  const exampleAdded = m(runs.example, 'initMs') - m(runs.without, 'initMs');
  table.add({
    section: '5 cold start (RIE)',
    what: `Init Duration, hello function, our Node 22 image with vs without the extension, ms (${n})`,
    value: fixed(m(runs.with, 'initMs')),
    baseline: `without extension: ${fixed(m(runs.without, 'initMs'))}`,
    ratio: `+${fixed(addedInit)} ms`,
    target: addedInit < 50 ? 'met (< +50 ms)' : `MISSED by ${fixed(addedInit - 50)} ms (< +50 ms)`,
  });
  table.add({
    section: '5 cold start (RIE)',
    what: 'first invoke (client side, includes init), hello function, ms',
    value: fixed(m(runs.with, 'firstInvokeMs')),
    baseline: `without extension: ${fixed(m(runs.without, 'firstInvokeMs'))}`,
    ratio: `+${fixed(addedFirst)} ms`,
    target: addedFirst < 50 ? 'met (< +50 ms)' : `MISSED by ${fixed(addedFirst - 50)} ms (< +50 ms)`,
  });
  table.add({
    section: '5 cold start (RIE)',
    what: 'example function (reads a parameter through the extension in INIT, a secret per invoke): Init Duration / first invoke / second invoke, ms',
    value: `${fixed(m(runs.example, 'initMs'))} / ${fixed(m(runs.example, 'firstInvokeMs'))} / ${fixed(m(runs.example, 'secondInvokeMs'))}`,
    baseline: `hello without extension: ${fixed(m(runs.without, 'initMs'))} / ${fixed(m(runs.without, 'firstInvokeMs'))} / ${fixed(m(runs.without, 'secondInvokeMs'))}`,
    ratio: `+${fixed(exampleAdded)} ms init`,
    target:
      exampleAdded <= 40 ? 'met (≤ +40 ms init)' : `MISSED by ${fixed(exampleAdded - 40)} ms (≤ +40 ms init)`,
  });
}
