/**
 * One GET to the extension, by the direct path when the extension runs in this thread
 * (in-process.ts), else over HTTP on 127.0.0.1 with kept-alive connections (http/connections.ts).
 * The global fetch is not used: it starts undici lazily (~60 ms on a function's first read) and costs
 * more per request. Over HTTP, two bounded retries, both safe because every request is an idempotent GET:
 *   - connection refused: the extension may still be starting (its INIT), so try again with a short
 *     back-off, for at most CONNECT_RETRY_BUDGET_MS in all;
 *   - a reused kept-alive connection reset or closed before answering: the extension closed it while
 *     idle (or while the sandbox was frozen); one new connection.
 */
import { extensionPort, extensionToken } from './environment.js';
import { CLIENT_CODES, errorFromAnswer, ParametersSecretsError } from './errors.js';
import { CLOSED_BEFORE_RESPONSE, exchange } from './http/connections.js';
import { requestHead } from './http/request-head.js';
import { type InProcessAnswer, type InProcessExtension, inProcessExtension } from './in-process.js';

/** How long, in all, connection refusals are retried before the read fails. */
export const CONNECT_RETRY_BUDGET_MS = 1000;
const FIRST_DELAY_MS = 10;
const MAX_DELAY_MS = 100;

/** What a reused connection fails with when the server had closed it. */
const STALE_CONNECTION = new Set([CLOSED_BEFORE_RESPONSE, 'EPIPE']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function overHttp(
  target: string,
  token: string | undefined,
  what: string,
  port: number,
): Promise<InProcessAnswer> {
  const head = requestHead(port, target, token);
  const deadline = Date.now() + CONNECT_RETRY_BUDGET_MS;
  let delay = FIRST_DELAY_MS;
  let staleRetried = false;
  for (;;) {
    const { response, error, reused } = await exchange(port, head);
    if (response !== undefined) return response;
    const code = error?.code;
    if (reused && !staleRetried && code !== undefined && STALE_CONNECTION.has(code)) {
      staleRetried = true;
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
      `${what}: the extension on 127.0.0.1:${port} could not be reached (${code ?? 'unknown error'})`,
      { cause: error },
    );
  }
}

async function direct(
  extension: InProcessExtension,
  target: string,
  token: string | undefined,
  what: string,
): Promise<InProcessAnswer> {
  try {
    return await extension.get(target, token);
  } catch (error) {
    // The contract says it never rejects; if it does, say so as an unreachable extension would.
    throw new ParametersSecretsError(
      CLIENT_CODES.unreachable,
      0,
      `${what}: the in-process extension failed (${(error as Error)?.message ?? String(error)})`,
      { cause: error },
    );
  }
}

/** GETs `target`; resolves with the body of a 200, rejects with a ParametersSecretsError otherwise. */
export async function get(
  target: string,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const token = extensionToken(env);
  const extension = inProcessExtension();
  const answer =
    extension === undefined
      ? await overHttp(target, token, what, extensionPort(env))
      : await direct(extension, target, token, what);
  if (answer.status === 200) return answer.body;
  throw errorFromAnswer(answer.status, answer.body, what);
}
