/**
 * HTTP/1.x over a bare TCP socket, for requests no HTTP client will send: raw bytes in the request
 * target (non-UTF-8, control characters), duplicated or oddly cased headers, truncated requests,
 * pipelining. Every call is bounded by a timeout and talks to loopback only.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers keep every value. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

export interface RawExchange {
  /** Every byte the server sent before it closed the connection (or the timeout hit). */
  readonly raw: Buffer;
  /** Responses parsed from `raw`, in order. */
  readonly responses: RawResponse[];
  /** True when the server closed the connection; false when the timeout ended the exchange. */
  readonly closedByServer: boolean;
  readonly elapsedMs: number;
}

const LOOPBACK = '127.0.0.1';

export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([key]) => key === name)?.[1];
}

/** Parses back-to-back HTTP/1.x responses with Content-Length (what the extension sends). */
export function parseResponses(raw: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const end = raw.indexOf('\r\n\r\n', offset);
    if (end === -1) break;
    const lines = raw.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? Number.NaN);
    const headers = lines.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
    });
    const lengthText = headers.find(([key]) => key === 'content-length')?.[1];
    const bodyStart = end + 4;
    const chunked = headers.some(([key, value]) => key === 'transfer-encoding' && value === 'chunked');
    let body: Buffer;
    if (lengthText !== undefined) {
      body = raw.subarray(bodyStart, bodyStart + Number(lengthText));
      offset = bodyStart + Number(lengthText);
    } else if (chunked) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = raw.indexOf('\r\n', at);
        if (lineEnd === -1) break;
        const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
        at = lineEnd + 2;
        if (!(size > 0)) {
          at += 2;
          break;
        }
        parts.push(raw.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
      offset = at;
    } else {
      body = raw.subarray(bodyStart);
      offset = raw.length;
    }
    responses.push({ status, headers, body });
  }
  return responses;
}

/**
 * Writes `chunks` (with `gapMs` between them), then reads until the server closes or `timeoutMs`
 * passes. `endAfterWrite` half-closes our side after the last chunk (a client that hung up mid-request).
 */
export function exchange(
  port: number,
  chunks: ReadonlyArray<Buffer | string>,
  options: { timeoutMs?: number; gapMs?: number; endAfterWrite?: boolean; host?: string } = {},
): Promise<RawExchange> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket: Socket = connect({ host: options.host ?? LOOPBACK, port });
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(received);
      resolve({ raw, responses: parseResponses(raw), closedByServer, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the server answered is a close; before anything arrived it is a failure.
      if (received.length > 0 || error.code === 'ECONNRESET' || error.code === 'EPIPE') finish(true);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.once('connect', async () => {
      for (const [index, chunk] of chunks.entries()) {
        if (socket.destroyed) return;
        if (index > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
      if (options.endAfterWrite && !socket.destroyed) socket.end();
    });
  });
}

/** One request with `Connection: close`, as raw bytes: target and header lines go out untouched. */
export function rawRequest(
  port: number,
  target: Buffer | string,
  headerLines: ReadonlyArray<Buffer | string> = [],
  timeoutMs = 5_000,
): Promise<RawExchange> {
  const parts: Buffer[] = [
    Buffer.from('GET '),
    Buffer.from(target),
    Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n'),
  ];
  for (const line of headerLines) parts.push(Buffer.from(line), Buffer.from('\r\n'));
  parts.push(Buffer.from('Connection: close\r\n\r\n'));
  return exchange(port, [Buffer.concat(parts)], { timeoutMs });
}
