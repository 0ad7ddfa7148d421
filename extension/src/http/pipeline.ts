/**
 * The one request pipeline. Every request the extension answers, over HTTP or in-process, goes through
 * `createAnswerer`'s decisions, in this order, each decision made here and nowhere else:
 *
 *   path      a target whose path cannot be decoded           → 400 BadRequest
 *   forwarded X-Forwarded-For present (any path, any method)   → 400 ForwardedRequest
 *   route     /ping (GET/HEAD)                                 → 200 healthy, no token needed
 *             /metrics (GET/HEAD, token needed)                → 200 JSON counters
 *             a data path with another method                  → 405 (POST, PUT, DELETE, PATCH, OPTIONS) or 404
 *             any other path                                   → 404
 *   token     X-Aws-Parameters-Secrets-Token                   → 401
 *   query     Go's query rules, names, flags, AWS's limits     → 400 MissingParameter / InvalidParameter
 *   cache     a fresh entry is written straight from the cache → 200
 *             a miss reads through the cache (single-flight)   → 200, or 400 with AWS's code, or 500
 *   batch     the batch paths (http/batch.ts) read item by item through the same cache; they are
 *             tested for only once a target has no single-read lookup, off the hits' path
 *
 * HEAD is GET without the body. Everything that depends only on the request target (route, query rules,
 * the lookup or its 400) is a pure function of the URL and memoised per URL: a function reads the same
 * few names on every invoke.
 *
 * The decisions need no socket: `createAnswerer` maps (method, target, headers) to an Answer, or to a
 * Promise of one for a read that waits on the backend. The HTTP handler (`createPipeline`) writes that
 * answer with `send`; the in-process direct path (in-process/direct.ts) hands its status and body to
 * the caller. Both transports therefore share every decision above. A cached hit is answered
 * synchronously with the cache entry's prepared Answer: nothing is allocated on that path.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Backends } from '../backends/types.js';
import type { ValueCache } from '../cache/value-cache.js';
import { BackendError, RequestError } from '../errors.js';
import type { Logger } from '../logger.js';
import { hasValidToken, isForwarded } from './auth.js';
import { createBatchReader } from './batch.js';
import { type BatchLookup, byPathLookup, parametersLookup, secretsLookup } from './batch-lookup.js';
import { type Lookup, parameterLookup, secretLookup } from './lookup.js';
import { ANSWERS, type Answer, errorAnswer, jsonAnswer, type RequestHandler, send } from './respond.js';
import { DATA_PATHS, type Route, routeTarget } from './target.js';

/**
 * The pipeline without a transport: a request's method, target (path and query, as on the request line)
 * and headers (lower-cased names, as node:http gives them) → its answer. Never throws or rejects: a
 * failure is a failure answer.
 */
export type Answerer = (
  method: string | undefined,
  target: string,
  headers: IncomingHttpHeaders,
) => Answer | Promise<Answer>;

export interface PipelineDeps {
  /** Holds each value as the answer that serves it. */
  readonly cache: ValueCache<Answer>;
  /** Every accepted token (empty: every data request gets 401). */
  readonly tokens: readonly string[];
  /** The SDK adapters, loaded on the first miss. */
  readonly backends: () => Promise<Backends>;
  readonly logger: Logger;
  /** The /metrics document (JSON); absent: /metrics answers 404 like any unknown path. */
  readonly metrics?: () => string;
}

/** Methods answered 405 on a data path (with `Allow: GET, HEAD`); any other method gets 404 there. */
const REFUSED_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

interface Target {
  readonly route: Route;
  /** For a data path: what to read, or the 400 its query earns. */
  readonly lookup?: Lookup;
  /** For a batch path: what to read (kept apart from `lookup`, so single reads never test for it). */
  readonly batch?: BatchLookup;
  readonly invalid?: Answer;
}

/** Bounded: cleared when full, so a client sending ever new URLs cannot grow it. */
const TARGET_MEMO_SIZE = 1_024;

function lookupOf(route: Route, search: string): Pick<Target, 'lookup' | 'batch'> {
  switch (route) {
    case 'parameter':
      return { lookup: parameterLookup(search) };
    case 'secret':
      return { lookup: secretLookup(search) };
    case 'parameters':
      return { batch: parametersLookup(search) };
    case 'by-path':
      return { batch: byPathLookup(search) };
    case 'secrets':
      return { batch: secretsLookup(search) };
    default:
      return {};
  }
}

function parseTarget(url: string): Target {
  const { route, search } = routeTarget(url);
  try {
    return { route, ...lookupOf(route, search) };
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    return { route, invalid: errorAnswer(400, error) };
  }
}

function describe(lookup: Lookup): string {
  return lookup.service === 'ssm'
    ? `GetParameter ${JSON.stringify(lookup.name)}`
    : `GetSecretValue ${JSON.stringify(lookup.secretId)}`;
}

export function createAnswerer(deps: PipelineDeps): Answerer {
  const { cache, tokens, backends, logger, metrics } = deps;

  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      target = parseTarget(url);
      if (targets.size >= TARGET_MEMO_SIZE) targets.clear();
      targets.set(url, target);
    }
    return target;
  };

  const fetchValue = async (lookup: Lookup): Promise<string> => {
    const loaded = await backends();
    if (logger.enabled('DEBUG')) logger.debug(`cache miss: ${describe(lookup)}`);
    return lookup.service === 'ssm'
      ? loaded.getParameter({ name: lookup.name, withDecryption: lookup.withDecryption })
      : loaded.getSecretValue(lookup);
  };

  /** A failed read's answer; whether it is logged is decided by its kind, as AWS's extension logs. */
  const failureAnswer = (error: unknown, route: Route): Answer => {
    if (error instanceof BackendError) {
      const path = DATA_PATHS[route as keyof typeof DATA_PATHS];
      logger.error(`${path} request encountered an error: ${error.code}: ${error.message}`);
      return errorAnswer(400, error);
    }
    logger.error(`internal failure: ${(error as Error)?.name ?? 'unknown error'}`);
    return ANSWERS.internalFailure;
  };

  const readThrough = (target: Target, lookup: Lookup): Promise<Answer> =>
    cache
      .get(lookup.service, lookup.key, () => fetchValue(lookup), { refresh: lookup.refreshNow })
      .then(
        (entry) => entry.value,
        (error: unknown) => failureAnswer(error, target.route),
      );

  const readBatch = createBatchReader({ cache, backends, logger, failureAnswer });
  const batchThrough = (target: Target, batch: BatchLookup): Promise<Answer> =>
    readBatch(batch).catch((error: unknown) => failureAnswer(error, target.route));

  const decide: Answerer = (method, url, headers) => {
    const target = targetOf(url);
    if (target.route === 'invalid-path') return ANSWERS.badPath;
    if (isForwarded(headers)) {
      logger.warn('Rejecting request with X-Forwarded-For header');
      return ANSWERS.forwarded;
    }
    const reads = method === 'GET' || method === 'HEAD';
    if (target.route === 'ping') return reads ? ANSWERS.ping : ANSWERS.notFound;
    if (target.route === 'none') return ANSWERS.notFound;
    if (!reads) return REFUSED_METHODS.has(method ?? '') ? ANSWERS.methodNotAllowed : ANSWERS.notFound;
    if (!hasValidToken(headers, tokens)) return ANSWERS.badToken;
    const lookup = target.lookup;
    if (lookup === undefined) {
      if (target.batch !== undefined) return batchThrough(target, target.batch);
      if (target.route === 'metrics') return metrics === undefined ? ANSWERS.notFound : jsonAnswer(metrics());
      return target.invalid ?? ANSWERS.internalFailure;
    }
    const hit = lookup.refreshNow ? undefined : cache.fresh(lookup.service, lookup.key);
    if (hit !== undefined) return hit.value;
    return readThrough(target, lookup);
  };
  // A fault of the decisions themselves (a bug: every failure they know is an answer) is answered and
  // logged as an internal failure, never thrown to the transport: in in-process mode an exception
  // there would be the function's.
  return (method, url, headers) => {
    try {
      return decide(method, url, headers);
    } catch (error) {
      return failureAnswer(error, 'none');
    }
  };
}

/** The HTTP transport of the pipeline: every request's answer, written by `send` once it is known. */
export function httpHandler(answer: Answerer): RequestHandler {
  return (req, res) => {
    const answered = answer(req.method, req.url ?? '/', req.headers);
    if (answered instanceof Promise) answered.then((ready) => send(req, res, ready));
    else send(req, res, answered);
  };
}

/** The pipeline over HTTP. */
export function createPipeline(deps: PipelineDeps): RequestHandler {
  return httpHandler(createAnswerer(deps));
}
