/**
 * Request target → route and query string. The path rules are the ones the extension has always
 * answered by (they were fastify's router options before it had one pipeline, and stay byte-compatible):
 * an absolute-form origin (`http://host`) and a `#fragment` are dropped, repeated slashes count as one,
 * a trailing slash is ignored, and the path is percent-decoded, where an escape that is malformed or not
 * UTF-8 makes the path invalid (400) and an encoded `/`, `?`, `#` or `%` matches no route (404).
 * Matching is case-sensitive. The query string is left raw for http/query.ts (Go's rules).
 */

export const PING_PATH = '/ping';
export const PARAMETER_PATH = '/systemsmanager/parameters/get';
export const SECRET_PATH = '/secretsmanager/get';
/** Batch reads (ours; AWS's extension has none): GetParameters, GetParametersByPath, BatchGetSecretValue. */
export const PARAMETERS_PATH = '/systemsmanager/parameters/getparameters';
export const BY_PATH_PATH = '/systemsmanager/parameters/getbypath';
export const SECRETS_PATH = '/secretsmanager/batchget';
/** The cache's and the backends' counters as JSON (ours; token required). */
export const METRICS_PATH = '/metrics';

export type BatchRoute = 'parameters' | 'by-path' | 'secrets';
export type Route = 'ping' | 'metrics' | 'parameter' | 'secret' | BatchRoute | 'none' | 'invalid-path';

/** The path each data route is served on (log lines name it). */
export const DATA_PATHS = {
  parameter: PARAMETER_PATH,
  secret: SECRET_PATH,
  parameters: PARAMETERS_PATH,
  'by-path': BY_PATH_PATH,
  secrets: SECRETS_PATH,
} as const;

export interface RoutedTarget {
  readonly route: Route;
  /** The query string without its `?`. */
  readonly search: string;
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
/** Escapes find-my-way (fastify's router) left encoded: a path holding one never matched a route. */
const RESERVED_ESCAPE = /%(2f|3f|23|25)/i;

const ROUTES: ReadonlyMap<string, Route> = new Map([
  [PING_PATH, 'ping'],
  [METRICS_PATH, 'metrics'],
  [PARAMETER_PATH, 'parameter'],
  [SECRET_PATH, 'secret'],
  [PARAMETERS_PATH, 'parameters'],
  [BY_PATH_PATH, 'by-path'],
  [SECRETS_PATH, 'secrets'],
]);

function decodedPath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

export function routeTarget(target: string): RoutedTarget {
  const origin = ABSOLUTE_FORM.exec(target);
  const relative = origin === null ? target : target.slice(origin[0].length);
  const q = relative.indexOf('?');
  let path = q === -1 ? relative : relative.slice(0, q);
  const search = q === -1 ? '' : relative.slice(q + 1);
  const hash = path.indexOf('#');
  if (hash !== -1) path = path.slice(0, hash);
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const decoded = decodedPath(path);
  if (decoded === undefined) return { route: 'invalid-path', search };
  if (decoded !== path && RESERVED_ESCAPE.test(path)) return { route: 'none', search };
  return { route: ROUTES.get(decoded) ?? 'none', search };
}
