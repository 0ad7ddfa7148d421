/**
 * The cached-hit path, outside fastify: a GET with a valid token for a fresh entry is answered straight
 * from the entry's prepared Buffer and header list. Everything else (misses, errors, /ping, 404/405,
 * refreshNow) goes to the fastify app, which applies the same rules in full.
 */
import type { ValueCache } from '../cache/value-cache.js';
import { hasValidToken, isForwarded } from '../request/auth.js';
import { lookupFor } from '../request/lookup.js';
import { splitTarget } from '../request/query.js';
import type { RequestHandler } from './listener.js';

export interface FastPathDeps {
  readonly cache: ValueCache;
  readonly tokens: readonly string[];
  readonly ttlMs: { readonly ssm: number; readonly secretsmanager: number };
}

export function createFastPath(deps: FastPathDeps, fallback: RequestHandler): RequestHandler {
  const { cache, tokens, ttlMs } = deps;
  return (req, res) => {
    if (req.method === 'GET' && !isForwarded(req.headers) && hasValidToken(req.headers, tokens)) {
      const { path, search } = splitTarget(req.url ?? '/');
      let lookup: ReturnType<typeof lookupFor>;
      try {
        lookup = lookupFor(path, search);
      } catch {
        lookup = undefined; // invalid input: the app answers it with the full error
      }
      if (lookup !== undefined && !lookup.refreshNow) {
        const entry = cache.fresh(lookup.key, ttlMs[lookup.service]);
        if (entry !== undefined) {
          res.writeHead(200, entry.headers as string[]);
          res.end(entry.body);
          return;
        }
      }
    }
    fallback(req, res);
  };
}
