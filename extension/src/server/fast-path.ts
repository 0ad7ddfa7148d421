/**
 * The request path outside fastify, for everything a function normally sends: GET /ping, and a GET with
 * a valid token for a parameter or secret, answered from the cache or, on a miss, through the same
 * read-through cache and backends the app uses. Fastify (app.cjs) is loaded only for what is left
 * (invalid input, 401, 404/405, X-Forwarded-For, HEAD), which keeps it, and its memory, out of a
 * normal sandbox's life altogether. Answers carry the same status, headers and bodies as the app's.
 */
import type { ServerResponse } from 'node:http';
import { hasValidToken, isForwarded } from '../request/auth.js';
import { type Lookup, lookupFor, PING_PATH } from '../request/lookup.js';
import { splitTarget } from '../request/query.js';
import { failureAnswer, fetchValue } from '../request/read-value.js';
import { ERROR_CONTENT_TYPE, PING_BODY } from '../request/responses.js';
import type { ServeDeps } from '../request/serve-deps.js';
import type { RequestHandler } from './listener.js';

const PING_BODY_BUFFER = Buffer.from(PING_BODY);
const PING_HEADERS = ['Content-Type', 'text/plain', 'Content-Length', String(PING_BODY_BUFFER.length)];
/** What fastify sends for `.type('application/json')` with a string body. */
const ERROR_WIRE_CONTENT_TYPE = `${ERROR_CONTENT_TYPE}; charset=utf-8`;

interface Target {
  readonly path: string;
  /** undefined: not a parameter/secret path, or invalid input (the app answers both). */
  readonly lookup: Lookup | undefined;
}

/**
 * Parsed targets by raw URL. A function reads the same few names on every invoke, so parsing and
 * decoding each query again (~10 % of a cached hit's own CPU) is wasted; the parse is a pure function of
 * the URL. Bounded: cleared when full, so odd clients cannot grow it.
 */
const TARGET_MEMO_SIZE = 1_024;

function parseTarget(url: string): Target {
  const { path, search } = splitTarget(url);
  try {
    return { path, lookup: lookupFor(path, search) };
  } catch {
    return { path, lookup: undefined }; // invalid input: the app answers it with the full error
  }
}

export function createFastPath(deps: ServeDeps, fallback: RequestHandler): RequestHandler {
  const { cache, tokens, ttlMs, backends, logger } = deps;

  const readThrough = (lookup: Lookup, path: string, res: ServerResponse): void => {
    cache
      .get(lookup.key, ttlMs[lookup.service], () => fetchValue(lookup, backends, logger), {
        refresh: lookup.refreshNow,
      })
      .then(
        (entry) => {
          if (res.destroyed) return;
          res.writeHead(200, entry.headers as string[]);
          res.end(entry.body);
        },
        (error: unknown) => {
          const answer = failureAnswer(error, path, logger);
          if (res.destroyed) return;
          const body = Buffer.from(answer.body);
          res.writeHead(answer.status, [
            'Content-Type',
            ERROR_WIRE_CONTENT_TYPE,
            'Content-Length',
            String(body.length),
          ]);
          res.end(body);
        },
      );
  };

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

  return (req, res) => {
    if (req.method === 'GET' && !isForwarded(req.headers)) {
      const { path, lookup } = targetOf(req.url ?? '/');
      if (path === PING_PATH) {
        res.writeHead(200, PING_HEADERS);
        res.end(PING_BODY_BUFFER);
        return;
      }
      if (hasValidToken(req.headers, tokens)) {
        if (lookup !== undefined) {
          const entry = lookup.refreshNow ? undefined : cache.fresh(lookup.key, ttlMs[lookup.service]);
          if (entry !== undefined) {
            res.writeHead(200, entry.headers as string[]);
            res.end(entry.body);
          } else {
            readThrough(lookup, path, res);
          }
          return;
        }
      }
    }
    fallback(req, res);
  };
}
