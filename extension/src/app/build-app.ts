/**
 * The fastify app: every route, every check, every error. Root of its own bundle (app.cjs), loaded on
 * the first request the fast path (server/fast-path.ts) leaves to it: invalid input, 401, 404/405,
 * X-Forwarded-For, HEAD. It never listens itself: main hands it those requests through `app.routing`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BAD_TOKEN_BODY, hasValidToken, isForwarded } from '../request/auth.js';
import {
  type Lookup,
  PARAMETER_PATHS,
  PING_PATH,
  parameterLookup,
  SECRET_PATHS,
  secretLookup,
} from '../request/lookup.js';
import { splitTarget } from '../request/query.js';
import { failureAnswer, fetchValue } from '../request/read-value.js';
import { ERROR_CONTENT_TYPE, errorBody, PING_BODY, SUCCESS_CONTENT_TYPE } from '../request/responses.js';
import type { ServeDeps } from '../request/serve-deps.js';

const OTHER_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type(ERROR_CONTENT_TYPE).send(errorBody(code, message));
}

export async function buildApp(deps: ServeDeps): Promise<FastifyInstance> {
  const { cache, tokens, ttlMs, logger } = deps;
  const app = Fastify({
    logger: false,
    // We parse the query ourselves with Go's rules (first value wins, malformed pairs dropped).
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, querystringParser: () => ({}) },
    // A path the router cannot decode (e.g. `%ZZ`) would otherwise get fastify's own body, which echoes
    // the path and breaks our one error shape.
    frameworkErrors: (_error, _request, reply) =>
      sendError(reply, 400, 'BadRequest', 'the request path is not a valid URL'),
  });

  app.addHook('onRequest', async (request, reply) => {
    if (isForwarded(request.headers)) {
      logger.warn('Rejecting request with X-Forwarded-For header');
      return sendError(reply, 400, 'ForwardedRequest', 'requests carrying X-Forwarded-For are refused');
    }
    return undefined;
  });

  const requireToken = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    if (hasValidToken(request.headers, tokens)) return undefined;
    return reply.code(401).type('text/plain').send(BAD_TOKEN_BODY);
  };

  const serve =
    (parse: (search: string) => Lookup) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const lookup = parse(splitTarget(request.raw.url ?? '/').search);
      const entry = await cache.get(
        lookup.key,
        ttlMs[lookup.service],
        () => fetchValue(lookup, deps.backends, logger),
        { refresh: lookup.refreshNow },
      );
      return reply.code(200).type(SUCCESS_CONTENT_TYPE).send(entry.body);
    };

  app.get(PING_PATH, async (_request, reply) => reply.type('text/plain').send(PING_BODY));
  for (const [paths, parse] of [
    [PARAMETER_PATHS[0], parameterLookup],
    [SECRET_PATHS[0], secretLookup],
  ] as const) {
    app.get(paths, { onRequest: requireToken }, serve(parse));
    app.route({
      method: [...OTHER_METHODS],
      url: paths,
      handler: async (_request, reply) =>
        sendError(reply.header('Allow', 'GET, HEAD'), 405, 'MethodNotAllowed', 'only GET is supported'),
    });
  }

  app.setNotFoundHandler(async (_request, reply) => sendError(reply, 404, 'NotFound', 'no such endpoint'));

  app.setErrorHandler(async (error: unknown, request, reply) => {
    const answer = failureAnswer(error, splitTarget(request.raw.url ?? '/').path, logger);
    return reply.code(answer.status).type(ERROR_CONTENT_TYPE).send(answer.body);
  });

  await app.ready();
  return app;
}
