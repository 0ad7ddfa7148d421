/**
 * One HTTP/1.1 request on a fresh node:net socket (`Connection: close`), for POST /register: it is the
 * last step before Lambda starts the runtime's init, and node:http's client (Agent, ClientRequest,
 * its parser) costs ~2.6 ms more CPU on that path than a socket that writes the request and reads the
 * answer (docs/benchmarks.md). The client's other calls go through node:http, off that path.
 *
 * Reads the status, the headers (names lower-cased, as node:http gives them) and the body, framed by
 * Content-Length, chunked, or the end of the connection.
 */
import { connect } from 'node:net';

export interface OneShotRequest {
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export interface OneShotResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const HEADER_END = '\r\n\r\n';
/** An answer to a short call larger than this is not an Extensions API answer. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export function oneShotRequest(request: OneShotRequest): Promise<OneShotResponse> {
  const { host, port, method, path, headers, body, timeoutMs } = request;
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host.includes(':') ? `[${host}]` : host}:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
  const head = `${lines.join('\r\n')}${HEADER_END}`;

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = connect({ host, port });
    const finish = (error: Error | undefined, response?: OneShotResponse): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error !== undefined) reject(error);
      else if (response !== undefined) resolve(response);
    };
    // A complete answer ends the exchange at once; the server's close only matters without framing.
    const tryParse = (ended: boolean): void => {
      const parsed = parseResponse(Buffer.concat(chunks), ended);
      if (parsed instanceof Error) finish(parsed);
      else if (parsed !== undefined) finish(undefined, parsed);
      else if (ended) finish(new Error('connection closed before a complete answer'));
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) finish(new Error('answer too large'));
      else tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    // Not end(): a half-closed socket reads to a Go server (Lambda's Runtime API) as a client gone away.
    socket.write(head + body);
  });
}

/** The answer if `bytes` hold all of it, undefined if more is to come, an Error if it is not HTTP. */
export function parseResponse(bytes: Buffer, ended: boolean): OneShotResponse | Error | undefined {
  const text = bytes.toString('latin1');
  const headEnd = text.indexOf(HEADER_END);
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
  if (status === null) return new Error(`not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(headEnd + HEADER_END.length);
  const body = bodyOf(rest, headers, ended);
  if (body === undefined || body instanceof Error) return body;
  return { status: Number(status[1]), headers, body: body.toString('utf8') };
}

function bodyOf(rest: Buffer, headers: Record<string, string>, ended: boolean): Buffer | Error | undefined {
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') return dechunk(rest);
  const length = headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    if (!Number.isInteger(bytes) || bytes < 0) return new Error(`bad Content-Length: ${length}`);
    return rest.length >= bytes ? rest.subarray(0, bytes) : undefined;
  }
  return ended ? rest : undefined;
}

/** A chunked body's bytes once its last chunk arrived. */
function dechunk(rest: Buffer): Buffer | Error | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size) || size < 0) return new Error('bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (rest.length < start + size + 2) return undefined;
    parts.push(rest.subarray(start, start + size));
    at = start + size + 2;
  }
}
