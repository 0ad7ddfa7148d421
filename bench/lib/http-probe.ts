/**
 * Raw-socket probes for start-up timing: connect attempts until the port accepts, then one request
 * written on that very connection (a client that connected early must be answered, not refused).
 */
import { connect, type Socket } from 'node:net';

/** Retries a loopback connect about every millisecond (light on CPU) until it succeeds or the deadline. */
export function waitAccepting(port: number, timeoutMs: number): Promise<Socket> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        socket.destroy();
        if (performance.now() > deadline)
          reject(new Error(`127.0.0.1:${port} not accepting: ${error.message}`));
        else setTimeout(attempt, 1);
      });
    };
    attempt();
  });
}

export interface RawResponse {
  readonly status: number;
  /** performance.now() when the whole response had arrived. */
  readonly at: number;
  readonly body: string;
}

/** Writes one GET on `socket` and resolves when a complete response (Content-Length framed) arrived. */
export function getOnSocket(
  socket: Socket,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to GET ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      clearTimeout(timer);
      resolve({
        status: Number(text.slice(9, 12)),
        at: performance.now(),
        body: received.subarray(end + 4, end + 4 + length).toString('utf8'),
      });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
