/**
 * A fresh function process reading one cached parameter through the extension, the way a function
 * does: with the client module in the images (dist/client, loaded only when the probe asks, so its
 * load is part of the first read), with the global fetch, or with node:http and a keep-alive agent
 * (what a hand-written client would use). Prints one JSON line:
 *   firstMs   load of the client (module, node:http) + the first read, or the first fetch (undici starts lazily)
 *   firstCpuMs the CPU time of the process during firstMs (robust when other jobs load the machine)
 *   (with runtimeLoaded, node:net and node:http are loaded first, as in a function under aws-lambda-ric)
 *   p50Ms / p99Ms of `count` further reads, one at a time (warm: JIT, keep-alive connection)
 *   warmCpuUs the function process's CPU time per warm read (the client's own cost, without the server's)
 *   node client-probe.mjs '<json spec>'
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { percentile } from './lib/stats.js';

interface Spec {
  readonly client: 'module' | 'fetch' | 'http';
  /** dist/client/index.mjs (module only). */
  readonly modulePath?: string;
  readonly port: number;
  readonly token: string;
  readonly name: string;
  readonly count: number;
  /** Load node:net and node:http before the clock starts, as aws-lambda-ric does in every function process. */
  readonly runtimeLoaded?: boolean;
}

export interface ProbeResult {
  readonly firstMs: number;
  readonly firstCpuMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly warmCpuUs: number;
}

type Read = () => Promise<string>;

async function reader(spec: Spec): Promise<Read> {
  if (spec.client === 'module') {
    const client = (await import(pathToFileURL(spec.modulePath ?? '').href)) as {
      getParameter: (name: string) => Promise<string>;
    };
    return () => client.getParameter(spec.name);
  }
  const url = `http://127.0.0.1:${spec.port}/systemsmanager/parameters/get?name=${encodeURIComponent(spec.name)}`;
  const headers = { 'X-Aws-Parameters-Secrets-Token': spec.token };
  if (spec.client === 'http') return httpReader(url, headers);
  return async () => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    return ((await response.json()) as { Parameter: { Value: string } }).Parameter.Value;
  };
}

const require = createRequire(import.meta.url);

/** node:http with a keep-alive agent, required when asked (its load is part of the first read). */
function httpReader(url: string, headers: Record<string, string>): Read {
  const { Agent, request } = require('node:http') as typeof import('node:http');
  const agent = new Agent({ keepAlive: true });
  return () =>
    new Promise((resolve, reject) => {
      const req = request(url, { agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else
            resolve(
              (JSON.parse(Buffer.concat(chunks).toString()) as { Parameter: { Value: string } }).Parameter
                .Value,
            );
        });
      });
      req.on('error', reject);
      req.end();
    });
}

async function run(spec: Spec): Promise<ProbeResult> {
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(spec.port);
  process.env.AWS_SESSION_TOKEN = spec.token;
  if (spec.runtimeLoaded === true) {
    require('node:net');
    require('node:http');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const read = await reader(spec);
  await read();
  const firstMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const firstCpuMs = (cpu.user + cpu.system) / 1000;
  const latencies: number[] = [];
  const warmCpu0 = process.cpuUsage();
  for (let i = 0; i < spec.count; i++) {
    const started = performance.now();
    await read();
    latencies.push(performance.now() - started);
  }
  const warmCpu = process.cpuUsage(warmCpu0);
  return {
    firstMs,
    firstCpuMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    warmCpuUs: (warmCpu.user + warmCpu.system) / spec.count,
  };
}

run(JSON.parse(process.argv[2] ?? '{}') as Spec).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`client-probe: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
