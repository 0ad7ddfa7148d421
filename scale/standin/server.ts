/**
 * The backend stand-in: one HTTP server on loopback that answers SSM's and Secrets Manager's JSON
 * protocol (POST /, X-Amz-Target: AmazonSSM.GetParameter, secretsmanager.GetSecretValue, ...), throttles
 * each API family with a token bucket as AWS does (HTTP 400, `ThrottlingException`, "Rate exceeded")
 * and answers after a configurable latency. It counts every call, and records when each family
 * accepted one, so a run can be checked against its quotas afterwards.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIS, type Api, DEFAULT_BURST_SECONDS, familyOf, type QuotaProfile } from './quotas.js';
import { type Answer, awsError, type Contents, Store } from './store.js';
import { TokenBucket } from './token-bucket.js';

export interface StandInOptions {
  readonly quotas: QuotaProfile;
  readonly contents: Contents;
  /** Service time of every answer, throttled or not. */
  readonly latencyMs: number;
  /** Uniform extra latency in [0, latencyJitterMs). */
  readonly latencyJitterMs: number;
  readonly burstSeconds?: number;
}

export interface FamilyStats {
  readonly name: string;
  readonly rate: number;
  readonly capacity: number;
  /** Milliseconds since the stand-in started, one per accepted call, in order. */
  readonly acceptedAt: number[];
}

export interface ApiStats {
  calls: number;
  throttled: number;
}

export interface StandInStats {
  readonly apis: Record<Api, ApiStats>;
  readonly families: FamilyStats[];
  readonly kmsDecrypts: number;
  readonly kmsThrottled: number;
  /** Requests we could not parse or route (a bug in the model if not zero). */
  readonly rejected: number;
}

export interface StandIn {
  readonly endpoint: string;
  stats(): StandInStats;
  close(): Promise<void>;
}

const TARGETS: Record<string, Api> = {
  'AmazonSSM.GetParameter': 'GetParameter',
  'AmazonSSM.GetParameters': 'GetParameters',
  'AmazonSSM.GetParametersByPath': 'GetParametersByPath',
  'secretsmanager.GetSecretValue': 'GetSecretValue',
  'secretsmanager.BatchGetSecretValue': 'BatchGetSecretValue',
};

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY = 64 * 1024;
export const STATS_PATH = '/__standin/stats';

let requestIds = 0;

function send(res: ServerResponse, answer: Answer): void {
  const body = JSON.stringify(answer.body);
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': `standin-${++requestIds}`,
  };
  if (answer.status !== 200) headers['x-amzn-ErrorType'] = String(answer.body.__type);
  res.writeHead(answer.status, headers);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const started = performance.now();
  const clock = (): number => performance.now() - started;
  const burstSeconds = options.burstSeconds ?? DEFAULT_BURST_SECONDS;
  const store = new Store(options.contents);
  const buckets = new Map<string, { bucket: TokenBucket; stats: FamilyStats }>();
  for (const family of options.quotas.families) {
    const capacity = Math.max(1, family.rate * burstSeconds);
    buckets.set(family.name, {
      bucket: new TokenBucket(family.rate, capacity, 0),
      stats: { name: family.name, rate: family.rate, capacity, acceptedAt: [] },
    });
  }
  const kms = new TokenBucket(
    options.quotas.kmsDecryptRate,
    Math.max(1, options.quotas.kmsDecryptRate * burstSeconds),
    0,
  );
  const apis = Object.fromEntries(APIS.map((api) => [api, { calls: 0, throttled: 0 }])) as Record<
    Api,
    ApiStats
  >;
  let kmsDecrypts = 0;
  let kmsThrottled = 0;
  let rejected = 0;

  function answer(api: Api, input: Record<string, unknown>): Answer {
    const now = clock();
    const counts = apis[api];
    counts.calls += 1;
    const family = buckets.get(familyOf(options.quotas, api).name);
    if (family === undefined || !family.bucket.take(now)) {
      counts.throttled += 1;
      return awsError('ThrottlingException', 'Rate exceeded');
    }
    family.stats.acceptedAt.push(now);
    if (store.decrypts(api, input)) {
      // SSM decrypts SecureStrings with KMS on the caller's account quota.
      if (!kms.take(now)) {
        kmsThrottled += 1;
        counts.throttled += 1;
        return awsError('ThrottlingException', 'Rate exceeded');
      }
      kmsDecrypts += 1;
    }
    switch (api) {
      case 'GetParameter':
        return store.getParameter(input);
      case 'GetParameters':
        return store.getParameters(input);
      case 'GetParametersByPath':
        return store.getParametersByPath(input);
      case 'GetSecretValue':
        return store.getSecretValue(input);
      case 'BatchGetSecretValue':
        return store.batchGetSecretValue(input);
    }
  }

  function stats(): StandInStats {
    return {
      apis: structuredClone(apis),
      families: [...buckets.values()].map(({ stats }) => ({ ...stats, acceptedAt: [...stats.acceptedAt] })),
      kmsDecrypts,
      kmsThrottled,
      rejected,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === STATS_PATH) {
      send(res, { status: 200, body: stats() as unknown as Record<string, unknown> });
      return;
    }
    const target = req.headers['x-amz-target'];
    const api = typeof target === 'string' ? TARGETS[target] : undefined;
    const input = parse(await readBody(req));
    if (req.method !== 'POST' || api === undefined || input === undefined) {
      rejected += 1;
      send(
        res,
        api === undefined
          ? awsError('UnknownOperationException', 'unknown X-Amz-Target')
          : awsError('SerializationException', 'the request body is not a JSON object'),
      );
      return;
    }
    const result = answer(api, input);
    const delay = options.latencyMs + Math.random() * options.latencyJitterMs;
    setTimeout(() => send(res, result), delay);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, awsError('InternalFailure', 'stand-in failure'));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
