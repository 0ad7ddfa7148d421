/**
 * The client's HTTP over raw sockets against servers that answer the ways Go's net/http (AWS's
 * extension) may: chunked bodies, `Connection: close`, idle connections closed by the server.
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS } from '../../../../client/src/http/connections.js';
import { getParameter } from '../../../../client/src/index.js';

interface RawServer {
  readonly port: number;
  connections: number;
  open: number;
  maxOpen: number;
  /** Called with each complete request head; writes the answer to the socket. */
  answer: (socket: Socket, head: string) => void;
  close(): Promise<void>;
}

async function startRaw(): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const raw: RawServer = {
    port: 0,
    connections: 0,
    open: 0,
    maxOpen: 0,
    answer: () => undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((socket) => {
    raw.connections++;
    raw.open++;
    raw.maxOpen = Math.max(raw.maxOpen, raw.open);
    sockets.add(socket);
    socket.on('close', () => {
      raw.open--;
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      let end = buffered.indexOf('\r\n\r\n');
      while (end !== -1) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        raw.answer(socket, head);
        end = buffered.indexOf('\r\n\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(raw, { port: (server.address() as AddressInfo).port });
}

const value = (v: string) => JSON.stringify({ Parameter: { Name: '/a', Value: v } });

function chunked(socket: Socket, body: string): void {
  const half = Math.floor(body.length / 2);
  socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
  socket.write(`${half.toString(16)}\r\n${body.slice(0, half)}\r\n`);
  setImmediate(() =>
    socket.write(`${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n\r\n`),
  );
}

const saved = { ...process.env };
let raw: RawServer;

beforeEach(async () => {
  raw = await startRaw();
  process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(raw.port);
  process.env.AWS_SESSION_TOKEN = 'session-token';
});

afterEach(async () => {
  await raw.close();
  process.env = { ...saved };
});

describe('HTTP/1.1 over kept-alive connections', () => {
  it('sends Host and the token, nothing else, and reads chunked answers on one connection', async () => {
    const heads: string[] = [];
    raw.answer = (socket, head) => {
      heads.push(head);
      chunked(socket, value(`v${heads.length}`));
    };
    for (let i = 1; i <= 5; i++) await expect(getParameter('/a')).resolves.toBe(`v${i}`);
    expect(raw.connections).toBe(1);
    expect(heads[0]).toBe(
      `GET /systemsmanager/parameters/get?name=%2Fa HTTP/1.1\r\nHost: 127.0.0.1:${raw.port}\r\nX-Aws-Parameters-Secrets-Token: session-token`,
    );
  });

  it('opens a new connection after an answer with `Connection: close`', async () => {
    raw.answer = (socket) => {
      const body = value('closing');
      // The close itself comes later: the client must not wait for it to stop using the connection.
      socket.write(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      setTimeout(() => socket.end(), 200);
    };
    for (let i = 0; i < 3; i++) await expect(getParameter('/a')).resolves.toBe('closing');
    expect(raw.connections).toBe(3);
  });

  it('reads a close-delimited answer', async () => {
    raw.answer = (socket) => socket.end(`HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${value('till close')}`);
    await expect(getParameter('/a')).resolves.toBe('till close');
  });

  it('drops a connection the server closes while idle, and reads on a new one', async () => {
    raw.answer = (socket) => {
      const body = value('ok');
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      // An idle timeout of ~0: the server closes right after answering, as Go's IdleTimeout does later.
      setTimeout(() => socket.end(), 5);
    };
    await getParameter('/a');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(getParameter('/a')).resolves.toBe('ok');
    expect(raw.connections).toBe(2);
  });

  it('reads on when the server ends each connection right after its answer, whenever the next read comes', async () => {
    raw.answer = (socket) => {
      const body = value('once');
      // Kept alive by the headers, closed at once: the client learns it only from the end of the stream.
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    };
    const waits = [
      () => Promise.resolve(),
      () => new Promise((resolve) => setImmediate(resolve)),
      () => new Promise((resolve) => setTimeout(resolve, 1)),
      () => new Promise((resolve) => setTimeout(resolve, 10)),
    ];
    for (let i = 0; i < 40; i++) {
      await expect(getParameter('/a')).resolves.toBe('once');
      await (waits[i % waits.length] as () => Promise<unknown>)();
    }
  });

  it(`opens more connections for concurrent reads, at most ${MAX_CONNECTIONS}, and answers them all`, async () => {
    raw.answer = (socket) => {
      const body = value('slow');
      setTimeout(() => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`), 20);
    };
    const reads = Array.from({ length: 3 * MAX_CONNECTIONS }, () => getParameter('/a'));
    await expect(Promise.all(reads)).resolves.toEqual(reads.map(() => 'slow'));
    expect(raw.maxOpen).toBe(MAX_CONNECTIONS);
    // Reused afterwards, not reopened.
    await getParameter('/a');
    expect(raw.connections).toBe(MAX_CONNECTIONS);
  });

  it('fails a garbled answer as ExtensionUnreachable and does not reuse that connection', async () => {
    let answered = 0;
    raw.answer = (socket) => {
      answered++;
      if (answered === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n');
      else {
        const body = value('fine');
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      }
    };
    await expect(getParameter('/a')).rejects.toMatchObject({ code: 'ExtensionUnreachable', status: 0 });
    await expect(getParameter('/a')).resolves.toBe('fine');
    expect(raw.connections).toBe(2);
  });

  it('refuses a token that would forge headers, without sending or quoting it', async () => {
    process.env.AWS_SESSION_TOKEN = 'abc\r\nX-Forwarded-For: 1.2.3.4';
    const error = await getParameter('/a').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).not.toContain('abc');
    expect(raw.connections).toBe(0);
  });
});
