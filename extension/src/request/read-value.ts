/**
 * The two things every read needs whichever handler serves it (the bare fast path or the fastify app):
 * the backend call for a lookup, and the answer for a failure. One copy, so both paths answer the same.
 */
import type { Backends } from '../backends/types.js';
import type { Logger } from '../logger.js';
import { isHttpFailure } from './errors.js';
import type { Lookup } from './lookup.js';
import { errorBody, failureBody } from './responses.js';

function describe(lookup: Lookup): string {
  return lookup.service === 'ssm'
    ? `GetParameter ${JSON.stringify(lookup.name)}`
    : `GetSecretValue ${JSON.stringify(lookup.secretId)}`;
}

/** Fetches the value's JSON body from SSM or Secrets Manager (the SDK loads on the first call). */
export async function fetchValue(
  lookup: Lookup,
  backends: () => Promise<Backends>,
  logger: Logger,
): Promise<string> {
  const loaded = await backends();
  if (logger.enabled('DEBUG')) logger.debug(`cache miss: ${describe(lookup)}`);
  return lookup.service === 'ssm'
    ? loaded.getParameter({ name: lookup.name, withDecryption: lookup.withDecryption })
    : loaded.getSecretValue(lookup);
}

export interface FailureAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Status and body for an error (content type: application/json), logging what AWS's extension logs:
 * backend failures at ERROR with the request path, never a value or token. Invalid input is not logged.
 */
export function failureAnswer(error: unknown, path: string, logger: Logger): FailureAnswer {
  if (isHttpFailure(error)) {
    if (error.statusCode === 400 && error.code !== 'MissingParameter' && error.code !== 'InvalidParameter') {
      logger.error(`${path} request encountered an error: ${error.code}: ${error.message}`);
    }
    return { status: error.statusCode, body: failureBody(error) };
  }
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: errorBody('BadRequest', 'the request could not be read') };
  }
  logger.error(`internal failure: ${(error as Error)?.name ?? 'unknown error'}`);
  return { status: 500, body: errorBody('InternalFailure', 'internal failure') };
}
