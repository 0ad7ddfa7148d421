/**
 * A Node.js load generator in its own process (pinned by the caller to the core the server does not
 * use): it reads values the way a function would, either directly with the AWS SDK or from the
 * extension over HTTP (node:http keep-alive agent, or the global fetch), and prints one JSON line.
 *   node loadgen.mjs '<json spec>'
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { percentile } from './lib/stats.js';

interface Spec {
  readonly client: 'sdk' | 'http' | 'fetch';
  readonly kind: 'parameter' | 'secret';
  /** Names (sdk) or request paths (http, fetch), used round-robin. */
  readonly targets: readonly string[];
  readonly port?: number;
  readonly token?: string;
  readonly concurrency: number;
  /** Stop after this many requests, or after durationMs; at least one of them. */
  readonly count?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  /**
   * Write every measured request here as [start, latency] in ms (start on the wall clock, with
   * sub-ms precision, comparable with other processes' clocks): to line requests up with events.
   */
  readonly samplesFile?: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** sdk only: dynamic import of the client package, and the first call including client creation. */
  readonly importMs?: number;
  readonly firstCallMs?: number;
}

type Call = (target: string) => Promise<void>;

async function sdkCall(spec: Spec): Promise<{ call: Call; importMs: number; close: () => void }> {
  const started = performance.now();
  if (spec.kind === 'parameter') {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const importMs = performance.now() - started;
    const client = new SSMClient({});
    return {
      importMs,
      call: async (name) => {
        await client.send(new GetParameterCommand({ Name: name }));
      },
      close: () => client.destroy(),
    };
  }
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const importMs = performance.now() - started;
  const client = new SecretsManagerClient({});
  return {
    importMs,
    call: async (id) => {
      await client.send(new GetSecretValueCommand({ SecretId: id }));
    },
    close: () => client.destroy(),
  };
}

function httpCall(spec: Spec): { call: Call; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const headers = { 'X-Aws-Parameters-Secrets-Token': spec.token ?? '' };
  return {
    call: (path) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: spec.port, path, agent, headers }, (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        });
        req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

function fetchCall(spec: Spec): { call: Call; close: () => void } {
  const headers = { 'X-Aws-Parameters-Secrets-Token': spec.token ?? '' };
  return {
    call: async (path) => {
      const response = await fetch(`http://127.0.0.1:${spec.port}${path}`, {
        headers,
        signal: AbortSignal.timeout(30_000),
      });
      await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    },
    close: () => undefined,
  };
}

async function run(spec: Spec): Promise<LoadResult> {
  if (spec.count === undefined && spec.durationMs === undefined)
    throw new Error('count or durationMs needed');
  const sdk = spec.client === 'sdk' ? await sdkCall(spec) : undefined;
  const client = sdk ?? (spec.client === 'http' ? httpCall(spec) : fetchCall(spec));
  let firstCallMs: number | undefined;
  if (spec.client === 'sdk') {
    const started = performance.now();
    await client.call(spec.targets[0] as string);
    firstCallMs = performance.now() - started;
  }
  // Warm-up requests are not counted (JIT, connection set-up).
  const warmupEnd = performance.now() + (spec.warmupMs ?? 0);
  while (performance.now() < warmupEnd) await client.call(spec.targets[0] as string).catch(() => undefined);

  const latencies: number[] = [];
  const samples: [number, number][] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const end = spec.durationMs === undefined ? Number.POSITIVE_INFINITY : started + spec.durationMs;
  const limit = spec.count ?? Number.POSITIVE_INFINITY;
  const worker = async (): Promise<void> => {
    while (issued < limit && performance.now() < end) {
      const target = spec.targets[issued++ % spec.targets.length] as string;
      const t0 = performance.now();
      try {
        await client.call(target);
        const elapsed = performance.now() - t0;
        latencies.push(elapsed);
        if (spec.samplesFile !== undefined) samples.push([performance.timeOrigin + t0, elapsed]);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  client.close();
  if (spec.samplesFile !== undefined) writeFileSync(spec.samplesFile, JSON.stringify(samples));
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    ...(sdk === undefined ? {} : { importMs: sdk.importMs }),
    ...(firstCallMs === undefined ? {} : { firstCallMs }),
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
run(spec).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`loadgen: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
