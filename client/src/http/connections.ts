/**
 * GETs over node:net to 127.0.0.1, with kept-alive connections: one request per connection at a time
 * (no pipelining), idle connections reused newest first, at most MAX_CONNECTIONS open in all (reads
 * beyond that wait for one to come free). Idle connections are unref'd, so they never keep a process
 * alive; one the server closes while idle (an idle timeout, a sandbox frozen and thawed) is dropped.
 *
 * Why not node:http: loading its client (http, _http_client, _http_agent, _http_common, the parser
 * binding) and its per-request machinery cost a fresh function process several milliseconds and each
 * warm read about 0.1 ms more than this (docs/benchmarks.md).
 */
import { connect, type Socket } from 'node:net';
import { ProtocolError, type Response, ResponseParser } from './response-parser.js';

/** Concurrent reads beyond this wait for a connection; far more than a function reads at once. */
export const MAX_CONNECTIONS = 16;

/** How one exchange ended: a response, or the error that ended it and whether the connection was reused. */
export interface Exchange {
  readonly response?: Response;
  readonly error?: NodeJS.ErrnoException;
  /** The request went out on a connection an earlier request had used. */
  readonly reused: boolean;
}

/** The connection closed before any byte of the response: on a reused one, the server had closed it. */
export const CLOSED_BEFORE_RESPONSE = 'ECONNRESET';

type Settle = (exchange: Exchange) => void;

class Connection {
  readonly socket: Socket;
  private parser: ResponseParser | undefined;
  private settle: Settle | undefined;
  private used = false;
  private closed = false;
  readonly port: number;
  private readonly pool: Pool;

  constructor(port: number, pool: Pool) {
    this.port = port;
    this.pool = pool;
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error));
    this.socket.on('close', () => this.onClose());
  }

  /** Sends one request; resolves when its response is complete or the exchange failed. */
  exchange(head: string): Promise<Exchange> {
    const reused = this.used;
    this.used = true;
    this.parser = new ResponseParser();
    this.socket.ref();
    return new Promise<Exchange>((resolve) => {
      this.settle = (exchange) => resolve(reused ? { ...exchange, reused } : exchange);
      this.socket.write(head, 'latin1');
    });
  }

  private onData(data: Buffer): void {
    const parser = this.parser;
    if (parser === undefined) {
      // Bytes nobody asked for: the connection is out of step; never reuse it.
      this.socket.destroy();
      return;
    }
    let response: Response | undefined;
    try {
      response = parser.push(data);
    } catch (error) {
      this.fail(protocolFailure(error));
      return;
    }
    if (response !== undefined) this.done({ response, reused: false });
  }

  private onEnd(): void {
    const parser = this.parser;
    if (parser === undefined) {
      this.socket.destroy();
      return;
    }
    try {
      this.done({ response: parser.end(), reused: false });
    } catch (error) {
      this.fail(parser.started ? protocolFailure(error) : closedBeforeResponse());
    }
  }

  private onClose(): void {
    this.closed = true;
    this.pool.forget(this);
    if (this.parser !== undefined) this.fail(closedBeforeResponse());
  }

  private fail(error: NodeJS.ErrnoException): void {
    const settle = this.settle;
    this.parser = undefined;
    this.settle = undefined;
    this.socket.destroy();
    settle?.({ error, reused: false });
  }

  private done(exchange: Exchange & { readonly response: Response }): void {
    const settle = this.settle as Settle;
    this.parser = undefined;
    this.settle = undefined;
    if (exchange.response.reusable && !this.closed) {
      this.socket.unref();
      this.pool.release(this);
    } else {
      this.socket.destroy();
    }
    settle(exchange);
  }
}

function protocolFailure(error: unknown): NodeJS.ErrnoException {
  const failure: NodeJS.ErrnoException =
    error instanceof ProtocolError ? error : new ProtocolError(String(error));
  failure.code = 'EPROTO';
  return failure;
}

function closedBeforeResponse(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('the connection closed before a response');
  error.code = CLOSED_BEFORE_RESPONSE;
  return error;
}

class Pool {
  private readonly idle: Connection[] = [];
  private readonly waiting: (() => void)[] = [];
  private open = 0;

  async exchange(port: number, head: string): Promise<Exchange> {
    for (;;) {
      const connection = this.take(port);
      if (connection !== undefined) return connection.exchange(head);
      if (this.open < MAX_CONNECTIONS) {
        this.open++;
        return new Connection(port, this).exchange(head);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** The newest idle connection to `port`; an idle one to another port is closed to make room. */
  private take(port: number): Connection | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const connection = this.idle[i] as Connection;
      if (connection.port === port) {
        this.idle.splice(i, 1);
        // Closing (the server ended it, its 'close' event, which forgets it, not yet emitted): skip it.
        if (connection.socket.destroyed) continue;
        return connection;
      }
    }
    if (this.open >= MAX_CONNECTIONS) this.idle.shift()?.socket.destroy();
    return undefined;
  }

  release(connection: Connection): void {
    this.idle.push(connection);
    this.waiting.shift()?.();
  }

  forget(connection: Connection): void {
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    this.open--;
    this.waiting.shift()?.();
  }
}

const pool = new Pool();

/** One GET exchange with the server on 127.0.0.1:`port`; `head` is the whole request. */
export function exchange(port: number, head: string): Promise<Exchange> {
  return pool.exchange(port, head);
}
