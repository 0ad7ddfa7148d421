/**
 * Reads parameters and secrets through the Parameters and Secrets extension in the same sandbox
 * (127.0.0.1, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT or 2773), with the sandbox's token. The
 * extension caches; this module holds no values. Batch reads come when the extension has batch
 * endpoints.
 */
import { CLIENT_CODES, ParametersSecretsError } from './errors.js';
import { get } from './transport.js';

export { CONNECT_RETRY_BUDGET_MS } from './transport.js';
export { ParametersSecretsError };

export interface ParameterOptions {
  /** Decrypt a SecureString (`withDecryption=true`). Default false, as AWS's API: a SecureString read without it is the encrypted value. */
  readonly decrypt?: boolean;
  /** A version number (`name:version`). Not together with `label`. */
  readonly version?: number | string;
  /** A label (`name:label`). Not together with `version`. */
  readonly label?: string;
  /** Skip the extension's cached value for this read (`refreshNow=true`). */
  readonly refreshNow?: boolean;
}

export interface SecretOptions {
  /** A staging label such as `AWSPREVIOUS` (Secrets Manager's default is `AWSCURRENT`). */
  readonly versionStage?: string;
  /** A version id. */
  readonly versionId?: string;
  /** Skip the extension's cached value for this read (`refreshNow=true`). */
  readonly refreshNow?: boolean;
}

type Query = Record<string, string | number | boolean | undefined>;

function queryOf(query: Query): string {
  let out = '';
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false || value === '') continue;
    out += `${out === '' ? '?' : '&'}${key}=${encodeURIComponent(String(value))}`;
  }
  return out;
}

function parsed<T>(body: string, what: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new ParametersSecretsError(CLIENT_CODES.invalidResponse, 200, `${what}: the answer is not JSON`);
  }
}

interface ParameterAnswer {
  readonly Parameter?: { readonly Value?: unknown };
}

interface SecretAnswer {
  readonly SecretString?: unknown;
  readonly SecretBinary?: unknown;
}

/** The value of a parameter (a StringList's items comma-joined, as AWS gives them). */
export async function getParameter(name: string, options: ParameterOptions = {}): Promise<string> {
  const what = `parameter ${name}`;
  if (options.version !== undefined && options.label !== undefined) {
    throw new TypeError(`${what}: give version or label, not both`);
  }
  const path = `/systemsmanager/parameters/get${queryOf({
    name,
    withDecryption: options.decrypt === true,
    version: options.version,
    label: options.label,
    refreshNow: options.refreshNow,
  })}`;
  const value = parsed<ParameterAnswer>(await get(path, what), what).Parameter?.Value;
  if (typeof value !== 'string') {
    throw new ParametersSecretsError(CLIENT_CODES.invalidResponse, 200, `${what}: the answer has no value`);
  }
  return value;
}

async function readSecret(id: string, options: SecretOptions, what: string): Promise<SecretAnswer> {
  const path = `/secretsmanager/get${queryOf({
    secretId: id,
    versionStage: options.versionStage,
    versionId: options.versionId,
    refreshNow: options.refreshNow,
  })}`;
  return parsed<SecretAnswer>(await get(path, what), what);
}

/** A secret's SecretString. A binary secret is refused (use getSecretBinary). */
export async function getSecret(id: string, options: SecretOptions = {}): Promise<string> {
  const what = `secret ${id}`;
  const secret = await readSecret(id, options, what);
  if (typeof secret.SecretString === 'string') return secret.SecretString;
  throw new ParametersSecretsError(
    CLIENT_CODES.wrongType,
    200,
    `${what}: holds no SecretString${typeof secret.SecretBinary === 'string' ? ' (it is binary: use getSecretBinary)' : ''}`,
  );
}

/** A binary secret's SecretBinary, decoded. A string secret is refused (use getSecret). */
export async function getSecretBinary(id: string, options: SecretOptions = {}): Promise<Buffer> {
  const what = `secret ${id}`;
  const secret = await readSecret(id, options, what);
  if (typeof secret.SecretBinary === 'string') return Buffer.from(secret.SecretBinary, 'base64');
  throw new ParametersSecretsError(
    CLIENT_CODES.wrongType,
    200,
    `${what}: holds no SecretBinary (it is a string: use getSecret)`,
  );
}

/** A SecretString parsed as JSON (e.g. the `{"username":…,"password":…}` of a database secret). */
export async function getSecretJson<T = unknown>(id: string, options: SecretOptions = {}): Promise<T> {
  const text = await getSecret(id, options);
  try {
    return JSON.parse(text) as T;
  } catch {
    // The message must not quote the text: it is the secret.
    throw new ParametersSecretsError(
      CLIENT_CODES.wrongType,
      200,
      `secret ${id}: its SecretString is not JSON`,
    );
  }
}
