/**
 * A forwarding HTTP proxy on loopback in front of moto that counts the AWS operations passing
 * through it (by X-Amz-Target, e.g. AmazonSSM.GetParameter). moto keeps no request counter, so this
 * is how a test proves that a read was answered from the extension's cache: the count did not move.
 * One proxy per extension (or container), so a count belongs to exactly one cache. Optionally
 * delays answers, to make concurrent misses overlap. Every call is also logged with its wall-clock
 * start and end, so a test or the bench can tell which of its requests waited on a backend call.
 */
import { createServer, request, type Server } from 'node:http';

/** One forwarded call; times are wall-clock ms (sub-ms precision), comparable across processes. */
export interface ProxiedCall {
  readonly operation: string;
  readonly startedAt: number;
  /** When moto's answer had been passed on in full; undefined while in flight or if it failed. */
  endedAt?: number;
}

/** Wall-clock milliseconds with sub-millisecond precision (Date.now() has whole ms only). */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

export interface CountingProxy {
  readonly url: string;
  /** Calls seen for one operation (`GetParameter`, `GetSecretValue`, …), whatever the service prefix. */
  count(operation: string): number;
  total(): number;
  /** The calls so far, in the order they arrived (optionally one operation only). */
  calls(operation?: string): readonly ProxiedCall[];
  setDelay(ms: number): void;
  /**
   * Answers the next `times` calls of `operation` itself with an AWS JSON error (`code`, HTTP 400),
   * without forwarding them: a partial failure of a batch, seen by the extension as AWS's own error.
   */
  failNext(operation: string, times: number, code: string): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const counts = new Map<string, number>();
  const log: ProxiedCall[] = [];
  let delayMs = 0;
  const failures = new Map<string, { times: number; code: string }>();
  const server: Server = createServer((req, res) => {
    const targetHeader = String(req.headers['x-amz-target'] ?? 'unknown');
    const operation = targetHeader.slice(targetHeader.lastIndexOf('.') + 1);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const call: ProxiedCall = { operation, startedAt: wallClockMs() };
    log.push(call);
    const failure = failures.get(operation);
    if (failure !== undefined && failure.times > 0) {
      failure.times--;
      req.resume();
      const body = JSON.stringify({ __type: failure.code, message: `injected ${failure.code}` });
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    const forward = (): void => {
      const proxied = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          timeout: 30_000,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.once('end', () => {
            call.endedAt = wallClockMs();
          });
          upstreamRes.pipe(res);
        },
      );
      proxied.on('timeout', () => proxied.destroy(new Error('upstream timeout')));
      proxied.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(proxied);
    };
    if (delayMs > 0) setTimeout(forward, delayMs);
    else forward();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('counting proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    count: (operation) => counts.get(operation) ?? 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    calls: (operation) => (operation === undefined ? [...log] : log.filter((c) => c.operation === operation)),
    setDelay: (ms) => {
      delayMs = ms;
    },
    failNext: (operation, times, code) => {
      failures.set(operation, { times, code });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
