import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A loopback HTTP proxy between a container and moto that counts the AWS API calls passing
 * through it (by X-Amz-Target, e.g. `AmazonSSM.GetParameter`). One per container, so a count
 * belongs to exactly one extension and proves whether an answer came from its cache.
 */
export interface CountingProxy {
  readonly url: string;
  /** Calls seen so far, by X-Amz-Target. */
  counts(): Record<string, number>;
  total(): number;
  close(): Promise<void>;
}

export function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const counts: Record<string, number> = {};
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const operation = String(incoming.headers['x-amz-target'] ?? `${incoming.method} ${incoming.url}`);
    counts[operation] = (counts[operation] ?? 0) + 1;
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
        timeout: 30_000,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('timeout', () => forwarded.destroy(new Error('upstream timeout')));
    forwarded.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('proxy has no port'));
        return;
      }
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        counts: () => ({ ...counts }),
        total: () => Object.values(counts).reduce((sum, n) => sum + n, 0),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
