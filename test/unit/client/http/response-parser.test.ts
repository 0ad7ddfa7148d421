import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  MAX_HEADER_BYTES,
  ProtocolError,
  type Response,
  ResponseParser,
} from '../../../../client/src/http/response-parser.js';

/** Feeds `wire` to a new parser in pieces of `size` bytes; the response, or undefined if incomplete. */
function parseIn(wire: Buffer, size: number, ended = false): Response | undefined {
  const parser = new ResponseParser();
  let response: Response | undefined;
  for (let i = 0; i < wire.length; i += size) response = parser.push(wire.subarray(i, i + size)) ?? response;
  return ended && response === undefined ? parser.end() : response;
}

/** Every split of `wire` into pieces of 1, 2, 3, 7 bytes and the whole: each must give `expected`. */
function expectEverySplit(wire: string | Buffer, expected: Response, ended = false): void {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'utf8') : wire;
  for (const size of [1, 2, 3, 7, bytes.length]) expect(parseIn(bytes, size, ended)).toEqual(expected);
}

// The body the extension answers for a parameter, with a multi-byte character split across packets.
const BODY = '{"Parameter":{"Name":"/app/greeting","Value":"grüß dich €"}}';
const LENGTH = Buffer.byteLength(BODY);

describe('ResponseParser', () => {
  it('reads a Content-Length body (node:http, Go net/http) in any split, keeping the connection', () => {
    expectEverySplit(
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${LENGTH}\r\nDate: x\r\nConnection: keep-alive\r\n\r\n${BODY}`,
      { status: 200, body: BODY, reusable: true },
    );
  });

  it('reads a chunked body (Go streams one without a length) with extensions and trailers', () => {
    const half = Buffer.from(BODY).subarray(0, 30);
    const rest = Buffer.from(BODY).subarray(30);
    const wire = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
      Buffer.from(`${half.length.toString(16)};ext=1\r\n`),
      half,
      Buffer.from(`\r\n${rest.length.toString(16).toUpperCase()}\r\n`),
      rest,
      Buffer.from('\r\n0\r\nX-Trailer: y\r\n\r\n'),
    ]);
    expectEverySplit(wire, { status: 200, body: BODY, reusable: true });
  });

  it('gives up the connection after `Connection: close` and on HTTP/1.0 without keep-alive', () => {
    expectEverySplit(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno`, {
      status: 400,
      body: 'no',
      reusable: false,
    });
    expectEverySplit('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', {
      status: 200,
      body: 'ok',
      reusable: false,
    });
    expectEverySplit('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok', {
      status: 200,
      body: 'ok',
      reusable: true,
    });
  });

  it('reads a body without length or chunking up to the close, and never reuses that connection', () => {
    const wire = Buffer.from(`HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${BODY}`);
    for (const size of [1, 5, wire.length]) {
      expect(parseIn(wire, size)).toBeUndefined();
      expect(parseIn(wire, size, true)).toEqual({ status: 200, body: BODY, reusable: false });
    }
  });

  it('skips a 100 Continue before the answer; 204 has no body', () => {
    expectEverySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', {
      status: 200,
      body: 'ok',
      reusable: true,
    });
    expectEverySplit('HTTP/1.1 204 No Content\r\n\r\n', { status: 204, body: '', reusable: true });
  });

  it('reads a secret-sized body (64 KiB and more) arriving in many packets', () => {
    const big = JSON.stringify({ SecretString: 'é'.repeat(40_000) + 'x'.repeat(30_000) });
    const wire = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(big)}\r\n\r\n${big}`);
    for (const size of [1000, 16_384, 65_536]) {
      expect(parseIn(wire, size)).toEqual({ status: 200, body: big, reusable: true });
    }
  });

  it('fails a response cut short by the close, and a close before any byte', () => {
    const cut = new ResponseParser();
    cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(cut.started).toBe(true);
    expect(() => cut.end()).toThrow(/in the middle of the response/);
    const silent = new ResponseParser();
    expect(silent.started).toBe(false);
    expect(() => silent.end()).toThrow(/before a response/);
    const chunked = new ResponseParser();
    chunked.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'));
    expect(() => chunked.end()).toThrow(ProtocolError);
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a bad status line', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['a malformed header', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'],
    ['an invalid Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['an unknown transfer coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n'],
    ['bytes after the response', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab'],
  ])('refuses %s', (_what, wire) => {
    expect(() => parseIn(Buffer.from(wire, 'latin1'), 1_000_000)).toThrow(ProtocolError);
  });

  it('bounds the header block and the body', () => {
    const endless = new ResponseParser();
    endless.push(Buffer.from('HTTP/1.1 200 OK\r\n'));
    expect(() => endless.push(Buffer.alloc(MAX_HEADER_BYTES + 1, 'a'))).toThrow(/header block too large/);
    const huge = `HTTP/1.1 200 OK\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`;
    expect(() => parseIn(Buffer.from(huge), 1_000)).toThrow(/body too large/);
  });
});
