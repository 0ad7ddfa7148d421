/** Secrets Manager reads: one secret (string, binary or JSON), several by id. */
import { type BatchItemError, batchItems, inBatches, itemErrors, valuesRecord } from './batch.js';
import { CLIENT_CODES, ParametersSecretsError } from './errors.js';
import { parsed, queryOf } from './query.js';
import { get } from './transport.js';

export interface SecretOptions {
  /** A staging label such as `AWSPREVIOUS` (Secrets Manager's default is `AWSCURRENT`). */
  readonly versionStage?: string;
  /** A version id. */
  readonly versionId?: string;
  /** Skip the extension's cached value for this read (`refreshNow=true`). */
  readonly refreshNow?: boolean;
}

export interface SecretsOptions {
  /** Skip the extension's cached values (`refreshNow=true`). */
  readonly refreshNow?: boolean;
}

/** A secret's current version as Secrets Manager gives it (BatchGetSecretValue's `SecretValues` item). */
export interface SecretValue {
  readonly ARN: string;
  readonly Name: string;
  readonly VersionId: string;
  readonly VersionStages: readonly string[];
  /** Set for a string secret, null for a binary one. */
  readonly SecretString: string | null;
  /** Base64, set for a binary secret, null for a string one. */
  readonly SecretBinary: string | null;
  readonly CreatedDate?: string;
}

export interface SecretsResult {
  /** Each string secret's SecretString, under the id as asked (binary secrets are only in `secrets`). */
  readonly values: Readonly<Record<string, string>>;
  /** The secrets read, in the order asked. */
  readonly secrets: readonly SecretValue[];
  /** Ids that could not be read (ResourceNotFoundException, AccessDeniedException, …), with AWS's code. */
  readonly errors: readonly BatchItemError[];
}

interface SecretAnswer {
  readonly SecretString?: unknown;
  readonly SecretBinary?: unknown;
}

interface SecretsAnswer {
  readonly SecretValues?: unknown;
  readonly Errors?: { ErrorCode?: unknown; Message?: unknown; SecretId?: unknown }[];
}

async function readSecret(id: string, options: SecretOptions, what: string): Promise<SecretAnswer> {
  const target = `/secretsmanager/get${queryOf({
    secretId: id,
    versionStage: options.versionStage,
    versionId: options.versionId,
    refreshNow: options.refreshNow,
  })}`;
  return parsed<SecretAnswer>(await get(target, what), what);
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

/** Which of the ids asked a secret answers: by name or ARN; else its name. */
const askedId = (asked: readonly string[], secret: SecretValue): string =>
  asked.find((id) => id === secret.Name || id === secret.ARN) ?? secret.Name;

/**
 * Several secrets' current versions in one read (the extension's `batchget`, Secrets Manager's
 * BatchGetSecretValue); more than 50 ids go as several requests in parallel. Ids that could not be
 * read are in `errors`: the read rejects only when the extension answers an error as a whole.
 */
export async function getSecrets(
  ids: readonly string[],
  options: SecretsOptions = {},
): Promise<SecretsResult> {
  const what = `secrets ${ids.length === 1 ? ids[0] : `(${ids.length})`}`;
  const asked = batchItems(ids, what);
  const answers = await inBatches(asked, async (slice) =>
    parsed<SecretsAnswer>(
      await get(
        `/secretsmanager/batchget${queryOf({ secretIds: slice.join(','), refreshNow: options.refreshNow })}`,
        what,
      ),
      what,
    ),
  );
  const values = valuesRecord();
  const secrets: SecretValue[] = [];
  const errors: BatchItemError[] = [];
  for (const answer of answers) {
    if (!Array.isArray(answer.SecretValues)) {
      throw new ParametersSecretsError(
        CLIENT_CODES.invalidResponse,
        200,
        `${what}: the answer has no SecretValues`,
      );
    }
    for (const secret of answer.SecretValues as SecretValue[]) {
      secrets.push(secret);
      if (typeof secret.SecretString === 'string') values[askedId(asked, secret)] = secret.SecretString;
    }
    errors.push(...itemErrors(answer.Errors));
  }
  return { values, secrets, errors };
}
