/**
 * A scripted Lambda Extensions API (2020-01-01) on loopback, the one stand-in for Lambda/RIE in the
 * unit tests of the client, the integration tests and the bench: records registrations and error
 * reports, and holds each GET /event/next until the test pushes an event (or a failure).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Registration {
  readonly name: string | undefined;
  readonly events: unknown;
  readonly receivedAt: number;
}

export interface ErrorReport {
  readonly path: string;
  readonly errorType: string | undefined;
  readonly body: string;
}

export interface FakeExtensionsApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  readonly registrations: Registration[];
  readonly errors: ErrorReport[];
  /**
   * Called the moment a /register arrives, before its body is read and before it is answered (the
   * bench takes its start-up measurements here); a promise delays the answer.
   */
  onRegister: (() => void | Promise<void>) | undefined;
  /** Number of GET /event/next calls received. */
  nextCalls(): number;
  /** Resolves when the extension is waiting in /event/next (i.e. its init is done). */
  waitForNext(count?: number): Promise<void>;
  /** Delivers an event to the waiting (or next) /event/next call. */
  push(event: Record<string, unknown>): void;
  /** Answers the waiting (or next) /event/next call with this HTTP status instead of an event. */
  failNext(status: number): void;
  close(): Promise<void>;
}

export interface FakeApiOptions {
  /** Answer /register with this status instead of 200 (to test registration failures). */
  readonly registerStatus?: number;
  /** Initial value of `onRegister`. */
  readonly onRegister?: () => void | Promise<void>;
}

/** The identifier every registration gets. */
export const EXTENSION_IDENTIFIER = 'e8a5f1a2-0000-4000-8000-00000000abcd';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => resolve(body));
  });
}

interface Queued {
  readonly status: number;
  readonly body: string;
}

export async function startFakeExtensionsApi(options: FakeApiOptions = {}): Promise<FakeExtensionsApi> {
  const registrations: Registration[] = [];
  const errors: ErrorReport[] = [];
  const queued: Queued[] = [];
  let waiting: ServerResponse | undefined;
  let nextCalls = 0;
  const nextWaiters: Array<{ count: number; resolve: () => void }> = [];

  const deliver = (): void => {
    const answer = queued[0];
    if (waiting === undefined || answer === undefined) return;
    queued.shift();
    const res = waiting;
    waiting = undefined;
    res.writeHead(answer.status, {
      'Content-Type': 'application/json',
      'Lambda-Extension-Event-Identifier': 'ev-1',
    });
    res.end(answer.body);
  };

  const server: Server = createServer(async (req, res) => {
    const path = req.url ?? '';
    if (req.method === 'POST' && path === '/2020-01-01/extension/register') {
      const receivedAt = Date.now();
      const hook = api.onRegister?.();
      const body = await readBody(req);
      registrations.push({
        name: req.headers['lambda-extension-name'] as string | undefined,
        events: (JSON.parse(body || '{}') as { events?: unknown }).events,
        receivedAt,
      });
      await hook;
      const status = options.registerStatus ?? 200;
      if (status !== 200) {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errorMessage: 'scripted failure', errorType: 'Extension.Scripted' }));
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Extension-Identifier': EXTENSION_IDENTIFIER,
      });
      res.end(JSON.stringify({ functionName: 'test', functionVersion: '$LATEST', handler: 'index.handler' }));
      return;
    }
    const body = await readBody(req);
    if (req.headers['lambda-extension-identifier'] !== EXTENSION_IDENTIFIER) {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errorType: 'Extension.UnknownExtensionIdentifier' }));
      return;
    }
    if (req.method === 'GET' && path === '/2020-01-01/extension/event/next') {
      nextCalls++;
      waiting = res;
      for (const waiter of nextWaiters.splice(0)) {
        if (nextCalls >= waiter.count) waiter.resolve();
        else nextWaiters.push(waiter);
      }
      deliver();
      return;
    }
    if (req.method === 'POST' && (path.endsWith('/init/error') || path.endsWith('/exit/error'))) {
      errors.push({
        path,
        errorType: req.headers['lambda-extension-function-error-type'] as string | undefined,
        body,
      });
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end('{"status":"OK"}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const api: FakeExtensionsApi = {
    address: `127.0.0.1:${port}`,
    registrations,
    errors,
    onRegister: options.onRegister,
    nextCalls: () => nextCalls,
    waitForNext: (count = 1) =>
      new Promise((resolve) => {
        if (nextCalls >= count) resolve();
        else nextWaiters.push({ count, resolve });
      }),
    push: (event) => {
      queued.push({ status: 200, body: JSON.stringify(event) });
      deliver();
    },
    failNext: (status) => {
      queued.push({ status, body: JSON.stringify({ errorType: 'Extension.Scripted' }) });
      deliver();
    },
    close: () =>
      new Promise((resolve) => {
        waiting?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return api;
}
