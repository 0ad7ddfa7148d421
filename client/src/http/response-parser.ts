/**
 * An incremental parser for one HTTP/1.1 response to a GET, as the extensions on 127.0.0.1 send them:
 * ours (node:http: Content-Length) and AWS's (Go net/http: Content-Length, or chunked when a handler
 * streams, `Connection: close` when it closes). Bytes arrive in any split; `push` takes each packet,
 * `end` the socket's end (which completes a close-delimited body and fails anything else).
 *
 * Decided: a body without Content-Length or chunked coding is read to the connection's close (RFC 9112
 * §6.3; neither server sends one today, but it is legal and costs a branch); 1xx interim answers are
 * skipped; the header block and the body are bounded, so a confused peer cannot grow memory without end.
 */

/** Larger than any header block the extensions send (a few hundred bytes). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Larger than any batch answer the extension can give (50 secrets of 64 KiB, 500 parameters of 8 KiB, JSON-escaped). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface Response {
  readonly status: number;
  readonly body: string;
  /** The connection may carry another request (HTTP/1.1 without `Connection: close`, length-delimited). */
  readonly reusable: boolean;
}

const HEADER_END = '\r\n\r\n';
const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: [^\r\n]*)?$/;
const CHUNK_SIZE = /^([0-9a-fA-F]{1,8})[ \t]*(?:;[^\r\n]*)?$/;

/** What the body's framing is, once the header block is read. */
type Framing =
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

/** Where a chunked body is: reading a size line, the data of a chunk, its CRLF, or the trailers. */
type ChunkState = 'size' | 'data' | 'data-end' | 'trailers';

export class ResponseParser {
  private pending: Buffer | undefined;
  private status = 0;
  private keepAlive = true;
  private framing: Framing | undefined;
  private chunkState: ChunkState = 'size';
  private chunkRemaining = 0;
  private readonly parts: Buffer[] = [];
  private bodyBytes = 0;
  private result: Response | undefined;

  /** Bytes received before anything of the response (an idle socket's first read). */
  get started(): boolean {
    return this.pending !== undefined || this.framing !== undefined || this.status !== 0;
  }

  /**
   * Takes the next bytes; returns the response once it is complete, else undefined. Bytes after a
   * complete response are a protocol error (one request per connection at a time).
   */
  push(chunk: Buffer): Response | undefined {
    if (this.result !== undefined) throw new ProtocolError('bytes after the end of the response');
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    while (data.length > 0 && this.result === undefined) {
      data = this.framing === undefined ? this.headers(data) : this.body(data);
    }
    if (this.result !== undefined && data.length > 0) {
      throw new ProtocolError('bytes after the end of the response');
    }
    return this.result;
  }

  /** The connection ended: completes a close-delimited body; anything else is cut short. */
  end(): Response {
    if (this.result !== undefined) return this.result;
    if (this.framing?.kind === 'close') return this.finish(false);
    throw new ProtocolError(
      this.started
        ? 'the connection closed in the middle of the response'
        : 'the connection closed before a response',
    );
  }

  /** Reads the header block if it is all there; returns what follows it (or nothing, keeping the rest). */
  private headers(data: Buffer): Buffer {
    const end = data.indexOf(HEADER_END, 0, 'latin1');
    if (end === -1) {
      if (data.length > MAX_HEADER_BYTES) throw new ProtocolError('header block too large');
      this.pending = data;
      return EMPTY;
    }
    if (end > MAX_HEADER_BYTES) throw new ProtocolError('header block too large');
    const lines = data.toString('latin1', 0, end).split('\r\n');
    const statusLine = STATUS_LINE.exec(lines[0] ?? '');
    if (statusLine === null) throw new ProtocolError('not an HTTP/1.x status line');
    const status = Number(statusLine[2]);
    const rest = data.subarray(end + HEADER_END.length);
    // 1xx (100 Continue, 103 Early Hints): an interim answer, the real one follows.
    if (status < 200) return rest;
    this.status = status;
    this.keepAlive = statusLine[1] === '1';
    let length: number | undefined;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ProtocolError('malformed header line');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^[0-9]{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) {
          throw new ProtocolError('invalid Content-Length');
        }
        length = Number(value);
      } else if (name === 'transfer-encoding') {
        chunked = value.toLowerCase().split(',').at(-1)?.trim() === 'chunked';
        if (!chunked) throw new ProtocolError(`unsupported Transfer-Encoding ${value}`);
      } else if (name === 'connection') {
        const options = value
          .toLowerCase()
          .split(',')
          .map((o) => o.trim());
        if (options.includes('close')) this.keepAlive = false;
        else if (options.includes('keep-alive')) this.keepAlive = true;
      }
    }
    if (status === 204 || status === 304) length = 0;
    else if (chunked) length = undefined; // RFC 9112 §6.3: chunked wins over Content-Length
    if (length !== undefined && length > MAX_BODY_BYTES) throw new ProtocolError('body too large');
    this.framing = chunked
      ? { kind: 'chunked' }
      : length !== undefined
        ? { kind: 'length', remaining: length }
        : { kind: 'close' };
    if (this.framing.kind === 'length' && length === 0) this.finish(this.keepAlive);
    return rest;
  }

  private body(data: Buffer): Buffer {
    const framing = this.framing as Framing;
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, data.length);
      this.add(data.subarray(0, take));
      framing.remaining -= take;
      if (framing.remaining === 0) this.finish(this.keepAlive);
      return data.subarray(take);
    }
    if (framing.kind === 'close') {
      this.add(data);
      return EMPTY;
    }
    return this.chunk(data);
  }

  /** One step through a chunked body. */
  private chunk(data: Buffer): Buffer {
    if (this.chunkState === 'data') {
      const take = Math.min(this.chunkRemaining, data.length);
      this.add(data.subarray(0, take));
      this.chunkRemaining -= take;
      if (this.chunkRemaining === 0) this.chunkState = 'data-end';
      return data.subarray(take);
    }
    const eol = data.indexOf('\r\n', 0, 'latin1');
    if (eol === -1) {
      if (data.length > MAX_HEADER_BYTES) throw new ProtocolError('chunk line too long');
      this.pending = data;
      return EMPTY;
    }
    const line = data.toString('latin1', 0, eol);
    const rest = data.subarray(eol + 2);
    if (this.chunkState === 'data-end') {
      if (line !== '') throw new ProtocolError('chunk data longer than its size');
      this.chunkState = 'size';
    } else if (this.chunkState === 'size') {
      const size = CHUNK_SIZE.exec(line);
      if (size === null) throw new ProtocolError('malformed chunk size');
      this.chunkRemaining = Number.parseInt(size[1] as string, 16);
      this.chunkState = this.chunkRemaining === 0 ? 'trailers' : 'data';
    } else if (line === '') {
      this.finish(this.keepAlive); // the empty line after the last chunk's (ignored) trailers
    }
    return rest;
  }

  private add(part: Buffer): void {
    if (part.length === 0) return;
    this.bodyBytes += part.length;
    if (this.bodyBytes > MAX_BODY_BYTES) throw new ProtocolError('body too large');
    this.parts.push(part);
  }

  private finish(reusable: boolean): Response {
    const body =
      this.parts.length === 1
        ? (this.parts[0] as Buffer).toString('utf8')
        : Buffer.concat(this.parts, this.bodyBytes).toString('utf8');
    this.result = { status: this.status, body, reusable };
    return this.result;
  }
}

const EMPTY = Buffer.alloc(0);
