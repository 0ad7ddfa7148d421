/**
 * Malformed and unusual HTTP on raw sockets against the built extension (real process, loopback):
 * truncated requests, slow-loris headers, an idle connection, HTTP/1.0, pipelining. The process must
 * stay up, answer what can be answered, and drop what cannot within a bounded time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionProcess, startExtension } from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { get, getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSsm, resetMoto } from '../helpers/moto.js';
import { exchange, header } from '../helpers/raw-http.js';

const NAME = '/reliability/raw/plain';
const VALUE = 'raw-socket-value-3c1d';
const PARAM = `/systemsmanager/parameters/get?name=${encodeURIComponent(NAME)}`;
/** The listener gives a client 10 s for its headers; Node checks that deadline every second. */
const HEADERS_DEADLINE_MS = 10_000;
const DROP_BOUND_MS = HEADERS_DEADLINE_MS + 3_000;

let extension: ExtensionProcess;

async function assertStillServing(): Promise<void> {
  expect(extension.child.exitCode).toBeNull();
  expect((await get(`${extension.baseUrl}/ping`)).status).toBe(200);
  expect((await getWithToken(`${extension.baseUrl}${PARAM}`)).status).toBe(200);
}

beforeAll(async () => {
  await resetMoto();
  await motoSsm().send(new PutParameterCommand({ Name: NAME, Value: VALUE, Type: 'String' }));
  extension = await startExtension({
    port: await freePort(),
    env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, AWS_SESSION_TOKEN: TEST_TOKEN },
  });
  expect((await getWithToken(`${extension.baseUrl}${PARAM}`)).status).toBe(200);
});

afterAll(async () => {
  await extension?.stop();
});

describe('raw sockets', () => {
  it('survives requests cut off at every point of the request line and headers', async () => {
    const full = `GET ${PARAM} HTTP/1.1\r\nHost: localhost\r\nX-Aws-Parameters-Secrets-Token: ${TEST_TOKEN}\r\n\r\n`;
    const cuts = [
      1,
      4,
      10,
      full.indexOf(' HTTP'),
      full.indexOf('\r\n') + 2,
      full.length - 20,
      full.length - 2,
    ];
    const results = await Promise.all(
      cuts.map((cut) =>
        exchange(extension.port, [full.slice(0, cut)], { endAfterWrite: true, timeoutMs: 5_000 }),
      ),
    );
    for (const result of results) {
      // Either no answer at all or a 400 from the HTTP parser; never a value, never a 5xx.
      expect(result.closedByServer).toBe(true);
      for (const response of result.responses) expect(response.status).toBeLessThan(500);
      expect(result.raw.includes(VALUE)).toBe(false);
    }
    await assertStillServing();
  });

  it('drops a slow-loris client that trickles its headers, within the headers deadline', async () => {
    const lines = [
      'GET /ping HTTP/1.1\r\n',
      'Host: localhost\r\n',
      ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: ${'a'.repeat(8)}\r\n`),
    ];
    // One header line every 500 ms: each byte resets no timer, the whole header block has a deadline.
    const [slow, idle] = await Promise.all([
      exchange(extension.port, lines, { gapMs: 500, timeoutMs: DROP_BOUND_MS + 5_000 }),
      // A connection that never sends a byte is held to the same deadline.
      exchange(extension.port, [], { timeoutMs: DROP_BOUND_MS + 5_000 }),
      // Meanwhile other clients are served normally.
      (async () => {
        await new Promise((r) => setTimeout(r, 1_000));
        await assertStillServing();
      })(),
    ]);
    expect(slow.closedByServer).toBe(true);
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(HEADERS_DEADLINE_MS - 500);
    expect(slow.elapsedMs).toBeLessThan(DROP_BOUND_MS);
    for (const response of slow.responses) expect(response.status).toBe(408);
    expect(idle.closedByServer).toBe(true);
    expect(idle.elapsedMs).toBeLessThan(DROP_BOUND_MS);
    await assertStillServing();
  });

  it('answers HTTP/1.0 requests (no Host header) and closes the connection', async () => {
    const result = await exchange(
      extension.port,
      [`GET ${PARAM} HTTP/1.0\r\nX-Aws-Parameters-Secrets-Token: ${TEST_TOKEN}\r\n\r\n`],
      { timeoutMs: 5_000 },
    );
    expect(result.closedByServer).toBe(true);
    expect(result.responses).toHaveLength(1);
    const [response] = result.responses;
    expect(response?.status).toBe(200);
    expect(JSON.parse(response?.body.toString('utf8') ?? '')).toMatchObject({ Parameter: { Value: VALUE } });

    const ping = await exchange(extension.port, ['GET /ping HTTP/1.0\r\n\r\n'], { timeoutMs: 5_000 });
    expect(ping.responses.map((r) => r.status)).toEqual([200]);
    expect(ping.closedByServer).toBe(true);
  });

  it('answers pipelined requests in order on one connection, each with its own status', async () => {
    const token = `X-Aws-Parameters-Secrets-Token: ${TEST_TOKEN}\r\n`;
    const requests = [
      'GET /ping HTTP/1.1\r\nHost: l\r\n\r\n',
      `GET ${PARAM} HTTP/1.1\r\nHost: l\r\n${token}\r\n`,
      `GET ${PARAM} HTTP/1.1\r\nHost: l\r\n\r\n`, // no token
      'GET /nowhere HTTP/1.1\r\nHost: l\r\n\r\n',
      `GET /systemsmanager/parameters/get HTTP/1.1\r\nHost: l\r\n${token}\r\n`, // no name
      `GET ${PARAM}&withDecryption=maybe HTTP/1.1\r\nHost: l\r\n${token}\r\n`,
      `GET ${PARAM} HTTP/1.1\r\nHost: l\r\n${token}Connection: close\r\n\r\n`,
    ];
    const result = await exchange(extension.port, [requests.join('')], { timeoutMs: 10_000 });
    expect(result.closedByServer).toBe(true);
    expect(result.responses.map((r) => r.status)).toEqual([200, 200, 401, 404, 400, 400, 200]);
    const unauthorised = result.responses[2];
    expect(unauthorised?.body.toString()).toBe('bad session token or header key');
    for (const response of result.responses) {
      expect(response.body.includes(TEST_TOKEN)).toBe(false);
      expect(header(response, 'content-length')).toBeDefined();
    }
    expect(result.responses.filter((r) => r.body.includes(VALUE))).toHaveLength(2);
  });

  it('answers 1,000 pipelined requests sent in one write, all in order', async () => {
    const token = `X-Aws-Parameters-Secrets-Token: ${TEST_TOKEN}\r\n`;
    const requests = Array.from({ length: 1_000 }, (_, i) =>
      i % 2 === 0
        ? `GET ${PARAM} HTTP/1.1\r\nHost: l\r\n${token}\r\n`
        : 'GET /ping HTTP/1.1\r\nHost: l\r\n\r\n',
    );
    requests.push('GET /ping HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n');
    const result = await exchange(extension.port, [requests.join('')], { timeoutMs: 20_000 });
    expect(result.closedByServer).toBe(true);
    expect(result.responses).toHaveLength(1_001);
    result.responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.body.includes(VALUE)).toBe(i % 2 === 0 && i < 1_000);
    });
  });

  it('survives running out of file descriptors (idle connections past its limit) and serves again after', async () => {
    const limited = await startExtension({
      port: await freePort(),
      env: { ...AWS_TEST_ENV, AWS_ENDPOINT_URL: MOTO_ENDPOINT, AWS_SESSION_TOKEN: TEST_TOKEN },
    });
    try {
      // 128 descriptors (Lambda gives 1024), then three times as many connections.
      execFileSync('prlimit', [`--pid=${limited.child.pid}`, '--nofile=128:128']);
      const sockets: Socket[] = [];
      for (let i = 0; i < 384; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(limited.port, '127.0.0.1', resolve);
          socket.on('error', () => resolve());
          sockets.push(socket);
        });
      }
      // The limit was really reached: the process holds (nearly) all 128 descriptors.
      expect(readdirSync(`/proc/${limited.child.pid}/fd`).length).toBeGreaterThanOrEqual(120);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(limited.child.exitCode).toBeNull();
      expect((await get(`${limited.baseUrl}/ping`)).status).toBe(200);
      expect((await getWithToken(`${limited.baseUrl}${PARAM}`)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('refuses garbage that is not HTTP, and request lines with a bad version, with a 4xx at most', async () => {
    const inputs = [
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), // a TLS ClientHello
      Buffer.from('GET /ping HTTP/9.9\r\n\r\n'),
      Buffer.from('GET /ping\r\n\r\n'), // HTTP/0.9
      Buffer.from(`GET /ping HTTP/1.1\r\nHost: l\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`),
      Buffer.from('\r\n\r\n\r\n'),
    ];
    for (const input of inputs) {
      const result = await exchange(extension.port, [input], { timeoutMs: 5_000, endAfterWrite: true });
      expect(result.closedByServer).toBe(true);
      for (const response of result.responses) expect(response.status).toBeLessThan(500);
    }
    await assertStillServing();
  });
});
