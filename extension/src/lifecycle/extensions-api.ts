/**
 * Client for the Lambda Extensions API (2020-01-01) on node:http. Not the global fetch: undici gives up
 * on an idle request after 300 s, and GET /event/next legitimately waits as long as the sandbox is idle.
 * POST /register, the last call before Lambda starts the runtime's init, is one request on a socket of
 * its own (one-shot-http.ts): node:http's client costs more CPU on that path.
 */
import { Agent, request } from 'node:http';
import { oneShotRequest } from './one-shot-http.js';

export interface ExtensionEvent {
  readonly eventType: string;
  readonly deadlineMs?: number;
  readonly shutdownReason?: string;
  readonly requestId?: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export class ExtensionsApiError extends Error {
  override readonly name = 'ExtensionsApiError';
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined) {
    super(message);
    this.status = status;
  }
}

const BASE = '/2020-01-01/extension';
/** Register and error reports are short calls; a Runtime API that does not answer them is broken. */
const SHORT_CALL_TIMEOUT_MS = 5_000;

export class ExtensionsApiClient {
  private identifier: string | undefined;
  // Its own agent without keep-alive timeouts: the long poll must never be cut by an idle timer.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });

  private readonly runtimeApi: string;

  constructor(runtimeApi: string) {
    this.runtimeApi = runtimeApi;
  }

  get extensionId(): string | undefined {
    return this.identifier;
  }

  /** POST /register; events SHUTDOWN only by default (INVOKE would add a round trip to every invoke). */
  async register(name: string, events: readonly string[] = ['SHUTDOWN']): Promise<void> {
    const [host, port] = splitHostPort(this.runtimeApi);
    const response = await oneShotRequest({
      host,
      port,
      method: 'POST',
      path: `${BASE}/register`,
      headers: { 'Lambda-Extension-Name': name, 'Content-Type': 'application/json' },
      body: JSON.stringify({ events }),
      timeoutMs: SHORT_CALL_TIMEOUT_MS,
    }).catch((error: unknown) => {
      throw new ExtensionsApiError(`POST /register: ${(error as Error).message}`, undefined);
    });
    const id = response.headers['lambda-extension-identifier'];
    if (response.status !== 200 || typeof id !== 'string' || id === '') {
      throw new ExtensionsApiError(
        `register failed: HTTP ${response.status}${summary(response.body)}`,
        response.status,
      );
    }
    this.identifier = id;
  }

  /** Blocks until Lambda has an event for us; no timeout on purpose. */
  async nextEvent(): Promise<ExtensionEvent> {
    const response = await this.send('GET', '/event/next', this.idHeader(), undefined, 0);
    if (response.status !== 200) {
      throw new ExtensionsApiError(
        `event/next failed: HTTP ${response.status}${summary(response.body)}`,
        response.status,
      );
    }
    const event = JSON.parse(response.body) as ExtensionEvent;
    if (typeof event?.eventType !== 'string') {
      throw new ExtensionsApiError('event/next returned an event without eventType', response.status);
    }
    return event;
  }

  /** Reports a failure during our init (Lambda then fails the init and restarts the sandbox). */
  initError(errorType: string, message: string): Promise<ApiResponse> {
    return this.reportError('/init/error', errorType, message);
  }

  /** Reports a failure after init, before exiting. */
  exitError(errorType: string, message: string): Promise<ApiResponse> {
    return this.reportError('/exit/error', errorType, message);
  }

  close(): void {
    this.agent.destroy();
  }

  private reportError(path: string, errorType: string, message: string): Promise<ApiResponse> {
    return this.send(
      'POST',
      path,
      {
        ...this.idHeader(),
        'Lambda-Extension-Function-Error-Type': errorType,
        'Content-Type': 'application/json',
      },
      JSON.stringify({ errorMessage: message, errorType, stackTrace: [] }),
      SHORT_CALL_TIMEOUT_MS,
    );
  }

  private idHeader(): Record<string, string> {
    if (this.identifier === undefined) throw new ExtensionsApiError('not registered', undefined);
    return { 'Lambda-Extension-Identifier': this.identifier };
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<ApiResponse> {
    const [host, port] = splitHostPort(this.runtimeApi);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          method,
          path: `${BASE}${path}`,
          agent: this.agent,
          headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (error) =>
        reject(new ExtensionsApiError(`${method} ${path}: ${error.message}`, undefined)),
      );
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      }
      req.end(body);
    });
  }
}

function summary(body: string): string {
  const text = body.trim().slice(0, 200);
  return text === '' ? '' : `: ${text}`;
}

/** `127.0.0.1:9001`, `localhost:9001` or `[::1]:9001`. */
export function splitHostPort(hostPort: string): [string, number] {
  const colon = hostPort.lastIndexOf(':');
  if (colon <= 0) return [hostPort, 80];
  const host = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return [host, Number(hostPort.slice(colon + 1))];
}
