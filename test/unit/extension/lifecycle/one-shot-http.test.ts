import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { oneShotRequest, parseResponse } from '../../../../extension/src/lifecycle/one-shot-http.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A TCP server that records what it received and answers with `answer` (raw bytes, written as given). */
async function scripted(answer: (socket: Socket, received: () => string) => void): Promise<{
  port: number;
  requests: string[];
}> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n') && received.endsWith('}')) {
        requests.push(received);
        answer(socket, () => received);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, requests };
}

const request = (port: number, timeoutMs = 2_000) =>
  oneShotRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/2020-01-01/extension/register',
    headers: { 'Lambda-Extension-Name': 'ext', 'Content-Type': 'application/json' },
    body: '{"events":["SHUTDOWN"]}',
    timeoutMs,
  });

describe('oneShotRequest', () => {
  it('sends one HTTP/1.1 request with Host, its headers, Content-Length and Connection: close', async () => {
    const { port, requests } = await scripted((socket) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'),
    );
    await request(port);
    expect(requests).toEqual([
      'POST /2020-01-01/extension/register HTTP/1.1\r\n' +
        `Host: 127.0.0.1:${port}\r\n` +
        'Lambda-Extension-Name: ext\r\n' +
        'Content-Type: application/json\r\n' +
        'Content-Length: 23\r\n' +
        'Connection: close\r\n\r\n' +
        '{"events":["SHUTDOWN"]}',
    ]);
  });

  it('reads status, lower-cased headers and a Content-Length body without waiting for the close', async () => {
    const { port } = await scripted((socket) =>
      // The socket stays open: the answer is complete once Content-Length bytes arrived.
      socket.write(
        'HTTP/1.1 200 OK\r\nLambda-Extension-Identifier: id-1\r\nContent-Length: 15\r\n\r\n{"ok":"värde"}',
      ),
    );
    const response = await request(port);
    expect(response).toEqual({
      status: 200,
      headers: { 'lambda-extension-identifier': 'id-1', 'content-length': '15' },
      body: '{"ok":"värde"}',
    });
  });

  it('reads a chunked body that arrives in pieces', async () => {
    const { port } = await scripted((socket) => {
      socket.write('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"err');
      setTimeout(() => socket.write('\r\n3\r\nor"\r\n1\r\n}\r\n0\r\n\r\n'), 20);
    });
    const response = await request(port);
    expect(response.status).toBe(403);
    expect(response.body).toBe('{"error"}');
  });

  it('reads a body framed by the end of the connection', async () => {
    const { port } = await scripted((socket) => socket.end('HTTP/1.0 500 Internal Server Error\r\n\r\nboom'));
    expect(await request(port)).toMatchObject({ status: 500, body: 'boom' });
  });

  it('fails when the server closes before a complete answer or answers something else than HTTP', async () => {
    const short = await scripted((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}'));
    await expect(request(short.port)).rejects.toThrow('connection closed before a complete answer');
    const garbage = await scripted((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    await expect(request(garbage.port)).rejects.toThrow(/not an HTTP answer/);
  });

  it('fails after its timeout when nothing answers', async () => {
    const { port } = await scripted(() => {});
    await expect(request(port, 100)).rejects.toThrow('no answer within 100 ms');
  });

  it('fails when nobody listens', async () => {
    await expect(request(1)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('parseResponse', () => {
  it('waits for the end of the headers and of a framed body', () => {
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'), false)).toBeUndefined();
    expect(
      parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}'), false),
    ).toBeUndefined();
    expect(parseResponse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'), false)).toBeUndefined();
    expect(parseResponse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'), true)).toEqual({
      status: 204,
      headers: {},
      body: '',
    });
  });

  it('rejects a bad Content-Length or chunk size', () => {
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'), false)).toBeInstanceOf(
      Error,
    );
    expect(
      parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), false),
    ).toBeInstanceOf(Error);
  });
});
