/**
 * The sockets, opened before anything slow is loaded: bare node:http servers on 127.0.0.1 and ::1
 * (clients resolve `localhost` to either). Requests that arrive before the pipeline is installed are
 * held, never refused, and handed over in arrival order once it is.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ANSWERS, type RequestHandler, send } from './respond.js';

export interface ListenResult {
  /** Addresses actually listening, e.g. ['127.0.0.1:2773', '[::1]:2773']. */
  readonly addresses: readonly string[];
  /** Why ::1 is not among them, if it is not (no IPv6 in the sandbox is normal). */
  readonly ipv6Problem: string | undefined;
}

/** Slow-loris protection: a client gets this long to send its headers. */
const HEADERS_TIMEOUT_MS = 10_000;
/** Whole-request ceiling; above any *_TIMEOUT_MILLIS a sane user sets, below Lambda's 15 min. */
const REQUEST_TIMEOUT_MS = 120_000;
/** Functions reuse connections across invokes; a frozen sandbox does not age them. */
const KEEP_ALIVE_TIMEOUT_MS = 60_000;
/**
 * How often Node checks the two deadlines above. Its default (30 s) lets a slow-loris client hold a
 * socket for up to 40 s instead of 10; one check a second is negligible work.
 */
const DEADLINE_CHECK_INTERVAL_MS = 1_000;
/** Held requests beyond this are answered 503 rather than buffered without bound. */
const MAX_HELD = 10_000;

/** net.Server's last listen step: binds a literal address (no lookup, no cluster). */
type ListenStep = (
  address: string,
  port: number,
  family: 4 | 6,
  backlog: number,
  fd: undefined,
  flags: number,
) => void;
/** libuv's UV_TCP_IPV6ONLY: the ::1 socket must not also take IPv4 connections. */
const IPV6_ONLY = 1;
/** Node's default backlog. */
const BACKLOG = 511;

/**
 * `server.listen({ host })` resolves the host through dns and loads the cluster module (with
 * child_process and dgram) even for an IP literal: ~4 ms of CPU before the first socket accepts,
 * on every cold start (docs/benchmarks.md). listen() ends in net.Server's `_listen2`, which binds
 * the literal address directly; it is called where it exists, listen() where a Node lacks it.
 * Both emit 'listening' or 'error' the same way.
 */
function bindAndListen(server: Server, host: string, port: number): void {
  const ipv6 = host.includes(':');
  const listenStep = (server as unknown as { _listen2?: ListenStep })._listen2;
  if (typeof listenStep === 'function') {
    listenStep.call(server, host, port, ipv6 ? 6 : 4, BACKLOG, undefined, ipv6 ? IPV6_ONLY : 0);
  } else {
    server.listen({ host, port, ipv6Only: ipv6, exclusive: true });
  }
}

/** The port of an address `listenOn` resolved with ('127.0.0.1:2773', '[::1]:2773'). */
const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

export class Listener {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private held: Array<[IncomingMessage, ServerResponse]> = [];
  private handler: RequestHandler | undefined;
  private closing = false;
  private readonly unref: boolean;

  private readonly dispatch: RequestHandler = (req, res) => {
    if (this.handler !== undefined) {
      this.handler(req, res);
      return;
    }
    if (this.closing || this.held.length >= MAX_HELD) {
      send(req, res, this.closing ? ANSWERS.shuttingDown : ANSWERS.notReady);
      return;
    }
    this.held.push([req, res]);
  };

  /**
   * `unref`: neither the servers nor their connections keep the process alive (in-process mode: the
   * process is the function's, and lives as long as the function wants).
   */
  constructor(options: { readonly unref?: boolean } = {}) {
    this.unref = options.unref === true;
  }

  /**
   * Listens on 127.0.0.1 (must succeed) and on ::1 (best effort). Both sockets are bound before this
   * returns its promise (the kernel queues connections from then on), except for port 0, where ::1 takes
   * the port the OS gave IPv4. When IPv4 fails, nothing is left listening.
   */
  async listen(port: number): Promise<ListenResult> {
    const ipv4 = this.listenOn('127.0.0.1', port);
    const ipv6 = (
      port === 0 ? ipv4.then((bound) => this.listenOn('::1', portOf(bound))) : this.listenOn('::1', port)
    ).then(
      (address) => ({ address, problem: undefined }),
      (error: unknown) => ({
        address: undefined,
        problem: (error as NodeJS.ErrnoException).code ?? String(error),
      }),
    );
    let address: string;
    try {
      address = await ipv4;
    } catch (error) {
      await ipv6;
      for (const server of this.servers.splice(0)) server.close();
      throw error;
    }
    const second = await ipv6;
    return {
      addresses: second.address === undefined ? [address] : [address, second.address],
      ipv6Problem: second.problem,
    };
  }

  /** Installs the real handler and replays every held request to it. */
  handOver(handler: RequestHandler): void {
    this.handler = handler;
    const held = this.held;
    this.held = [];
    for (const [req, res] of held) {
      if (!res.destroyed) handler(req, res);
    }
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left.
   * Resolves when every server has closed.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    for (const [req, res] of this.held.splice(0)) send(req, res, ANSWERS.shuttingDown);
    const closed = Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    // A keep-alive connection becomes idle once its in-flight response is sent; close it then.
    const closeIdle = (): void => {
      for (const server of this.servers) server.closeIdleConnections();
    };
    closeIdle();
    const sweeper = setInterval(closeIdle, 20);
    const timer = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, graceMs);
    sweeper.unref();
    timer.unref();
    await closed;
    clearInterval(sweeper);
    clearTimeout(timer);
  }

  private listenOn(host: string, port: number): Promise<string> {
    const server = createServer(
      {
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
      },
      this.dispatch,
    );
    if (this.unref) server.unref();
    server.on('connection', (socket: Socket) => {
      if (this.unref) socket.unref();
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        server.close();
        reject(error);
      };
      server.once('error', onError);
      server.once('listening', () => {
        server.off('error', onError);
        // Errors after listening (e.g. EMFILE on accept) must not crash the process.
        server.on('error', () => {});
        this.servers.push(server);
        const address = server.address();
        const boundPort = typeof address === 'object' && address !== null ? address.port : port;
        resolve(host.includes(':') ? `[${host}]:${boundPort}` : `${host}:${boundPort}`);
      });
      bindAndListen(server, host, port);
    });
  }

  /** The port actually bound. */
  get port(): number | undefined {
    const address = this.servers[0]?.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }
}
