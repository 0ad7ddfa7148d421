/** Raw TCP servers on loopback, for tests that need a peer speaking no protocol or a hand-written one. */
import { createServer, type Socket } from 'node:net';

export interface RawTcpServer {
  /** `127.0.0.1:<port>`, as AWS_LAMBDA_RUNTIME_API and similar variables take it. */
  readonly address: string;
  /** Destroys every connection still open, then closes the server. */
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port and hands each connection to `onConnection`. */
export async function startRawTcpServer(onConnection: (socket: Socket) => void): Promise<RawTcpServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bound = server.address();
  return {
    address: `127.0.0.1:${typeof bound === 'object' && bound !== null ? bound.port : 0}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
