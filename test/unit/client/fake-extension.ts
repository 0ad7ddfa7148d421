/** A stand-in for the extension on loopback, for the client's unit tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A stand-in for the extension on loopback: records requests and connections, answers as told. */
export interface FakeExtension {
  readonly port: number;
  readonly requests: { url: string; token: string | undefined }[];
  readonly connections: () => number;
  answer: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startFake(port = 0): Promise<FakeExtension> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const fake: FakeExtension = {
    port: 0,
    requests: [],
    connections: () => connections,
    answer: (_req, res) => res.writeHead(500).end(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const token = req.headers['x-aws-parameters-secrets-token'];
    fake.requests.push({ url: req.url ?? '', token: typeof token === 'string' ? token : undefined });
    fake.answer(req, res);
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return Object.assign(fake, { port: (server.address() as AddressInfo).port });
}

export const json = (res: ServerResponse, status: number, body: unknown) =>
  res
    .writeHead(status, {
      'content-type': status === 200 ? 'text/plain' : 'application/json; charset=utf-8',
    })
    .end(JSON.stringify(body));

export const parameterAnswer = (value: string) => ({
  Parameter: { Name: '/app/url', Type: 'String', Value: value, Version: 1 },
  ResultMetadata: {},
});
