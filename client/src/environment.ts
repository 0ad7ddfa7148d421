/**
 * Where the extension listens and which token to present, read from the function's environment on
 * every request (cheap, and correct when a test or a wrapper changes it after import). The client is
 * its own package, so it names the extension's variables itself; a unit test holds them to the
 * extension's configuration (test/unit/client/environment.test.ts).
 */

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_PORT = 2773;
export const PORT_VARIABLE = 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT';

/**
 * The token variables in the order the client tries them. The extension accepts any of the three;
 * the client prefers the one set on purpose: PARAMETERS_SECRETS_EXTENSION_TOKEN (local runs with
 * long-lived keys, where an invented AWS_SESSION_TOKEN would break the extension's own AWS calls),
 * then the sandbox's AWS_SESSION_TOKEN, then AWS_CONTAINER_AUTHORIZATION_TOKEN (SnapStart).
 */
export const TOKEN_VARIABLES = [
  'PARAMETERS_SECRETS_EXTENSION_TOKEN',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;

/** The port the extension listens on: its variable when that is a valid port, else 2773 (as the extension decides). */
export function extensionPort(env: Env): number {
  const raw = env[PORT_VARIABLE]?.trim();
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return DEFAULT_PORT;
  const port = Number(raw);
  return port >= 1 && port <= 65_535 ? port : DEFAULT_PORT;
}

/** The first token variable that is set and not empty; undefined when none is. */
export function extensionToken(env: Env): string | undefined {
  for (const name of TOKEN_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
