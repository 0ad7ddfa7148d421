/**
 * One GET to the extension on 127.0.0.1 over a keep-alive node:http agent. node:http, not the
 * global fetch: fetch starts undici lazily (~60 ms on a function's first read) and costs more per
 * request. Two bounded retries, both safe because every request is an idempotent GET:
 *   - connection refused: the extension may still be starting (its INIT), so try again with a short
 *     back-off, for at most CONNECT_RETRY_BUDGET_MS in all;
 *   - a reused keep-alive socket reset: the extension closed it while the sandbox was frozen; one
 *     new connection.
 */
import { Agent, type IncomingMessage, request } from 'node:http';
import { extensionPort, extensionToken } from './environment.js';
import { CLIENT_CODES, errorFromAnswer, ParametersSecretsError } from './errors.js';

/** How long, in all, connection refusals are retried before the read fails. */
export const CONNECT_RETRY_BUDGET_MS = 1000;
const FIRST_DELAY_MS = 10;
const MAX_DELAY_MS = 100;

const TOKEN_HEADER = 'X-Aws-Parameters-Secrets-Token';

// Free sockets are unref'd by the agent, so an idle connection never keeps a process alive.
const agent = new Agent({ keepAlive: true });

interface Answer {
  readonly status: number;
  readonly body: string;
}

interface Attempt {
  readonly answer?: Answer;
  readonly error?: NodeJS.ErrnoException;
  /** The request went out on a socket an earlier request had used. */
  readonly reused: boolean;
}

function attempt(path: string, env: NodeJS.ProcessEnv): Promise<Attempt> {
  return new Promise((resolve) => {
    const token = extensionToken(env);
    const req = request(
      {
        host: '127.0.0.1',
        port: extensionPort(env),
        path,
        agent,
        headers: token === undefined ? {} : { [TOKEN_HEADER]: token },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            answer: {
              status: res.statusCode ?? 0,
              body: chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString(),
            },
            reused: req.reusedSocket,
          }),
        );
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ error, reused: req.reusedSocket }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error, reused: req.reusedSocket }));
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** GETs `path`; resolves with the body of a 200, rejects with a ParametersSecretsError otherwise. */
export async function get(path: string, what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const deadline = Date.now() + CONNECT_RETRY_BUDGET_MS;
  let delay = FIRST_DELAY_MS;
  let resetRetried = false;
  for (;;) {
    const { answer, error, reused } = await attempt(path, env);
    if (answer !== undefined) {
      if (answer.status === 200) return answer.body;
      throw errorFromAnswer(answer.status, answer.body, what);
    }
    const code = error?.code;
    if (code === 'ECONNRESET' && reused && !resetRetried) {
      resetRetried = true;
      continue;
    }
    if (code === 'ECONNREFUSED' && Date.now() + delay <= deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      continue;
    }
    throw new ParametersSecretsError(
      CLIENT_CODES.unreachable,
      0,
      `${what}: the extension on 127.0.0.1:${extensionPort(env)} could not be reached (${code ?? 'unknown error'})`,
      { cause: error },
    );
  }
}
