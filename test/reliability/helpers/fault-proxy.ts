/**
 * A fault-injecting HTTP proxy on loopback in front of moto. It reads the AWS JSON request body to learn
 * which name a call is for (`Name`, `SecretId`), counts calls and concurrent calls per name, and applies
 * the fault set for that name (or the default fault): drop the connection, answer with a scripted
 * status and body, answer late, hold until released, or never answer. Everything else goes to moto.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Close the connection without answering (a backend that went away mid-call). */
  | { readonly kind: 'reset' }
  /** Answer this instead of moto (after `afterMs`, to keep the call open a while). */
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly body: string;
      readonly contentType?: string;
      readonly afterMs?: number;
    }
  /** Forward to moto after this long. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward to moto when the test calls release(). */
  | { readonly kind: 'hold' }
  /** Never answer (until the proxy closes). */
  | { readonly kind: 'silent' };

const AWS_JSON = 'application/x-amz-json-1.1';

/** The AWS JSON protocol's error answer, as SSM and Secrets Manager send it. */
export function awsError(status: number, type: string, message: string, afterMs = 0): Fault {
  return {
    kind: 'answer',
    status,
    body: JSON.stringify({ __type: type, message }),
    contentType: AWS_JSON,
    afterMs,
  };
}

export interface FaultProxy {
  readonly url: string;
  /** Sets (or with undefined clears) the fault for one name; `'*'` is the default for every name. */
  setFault(name: string, fault: Fault | undefined): void;
  /** Calls seen for a name (every name when omitted), retries included. */
  calls(name?: string): number;
  /** The most calls for this name that were open at the same moment. */
  maxConcurrent(name: string): number;
  /** Forwards every held call. */
  release(): void;
  resetCounts(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The name a call is for; a batch call (`Names`, `SecretIdList`) is for its first name. */
function nameOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      Name?: unknown;
      SecretId?: unknown;
      Names?: unknown[];
      SecretIdList?: unknown[];
    };
    const name = parsed.Name ?? parsed.SecretId ?? parsed.Names?.[0] ?? parsed.SecretIdList?.[0];
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults = new Map<string, Fault>();
  const calls = new Map<string, number>();
  const open = new Map<string, number>();
  const peak = new Map<string, number>();
  let held: Array<() => void> = [];
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    if (res.destroyed) return;
    const proxied = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    proxied.on('error', () => res.destroy());
    proxied.end(body);
  };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const name = nameOf(body);
    calls.set(name, (calls.get(name) ?? 0) + 1);
    const now = (open.get(name) ?? 0) + 1;
    open.set(name, now);
    peak.set(name, Math.max(peak.get(name) ?? 0, now));
    // A call is open until its answer is sent or its connection is gone, whichever comes first.
    res.once('close', () => open.set(name, (open.get(name) ?? 1) - 1));

    const fault = faults.get(name) ?? faults.get('*');
    switch (fault?.kind) {
      case undefined:
        forward(req, res, body);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'answer': {
        const answer = (): void => {
          if (res.destroyed) return;
          res.writeHead(fault.status, {
            'Content-Type': fault.contentType ?? AWS_JSON,
            'x-amzn-RequestId': 'fault-proxy',
          });
          res.end(fault.body);
        };
        if (fault.afterMs) setTimeout(answer, fault.afterMs);
        else answer();
        return;
      }
      case 'delay':
        setTimeout(() => forward(req, res, body), fault.ms);
        return;
      case 'hold':
        held.push(() => forward(req, res, body));
        return;
      case 'silent':
        return;
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    setFault: (name, fault) => {
      if (fault === undefined) faults.delete(name);
      else faults.set(name, fault);
    },
    calls: (name) =>
      name === undefined ? [...calls.values()].reduce((a, b) => a + b, 0) : (calls.get(name) ?? 0),
    maxConcurrent: (name) => peak.get(name) ?? 0,
    release: () => {
      const waiting = held;
      held = [];
      for (const send of waiting) send();
    },
    resetCounts: () => {
      calls.clear();
      peak.clear();
    },
    close: () =>
      new Promise((resolve) => {
        held = [];
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
