/**
 * What the stand-in holds and how it answers, in the shapes of SSM's and Secrets Manager's JSON APIs
 * (awsJson1_1). Pure: no sockets, no clock beyond the timestamps it is given.
 */

export interface StoredParameter {
  readonly name: string;
  readonly type: 'String' | 'SecureString';
  readonly value: string;
}

export interface StoredSecret {
  readonly name: string;
  readonly value: string;
}

export interface Contents {
  readonly parameters: readonly StoredParameter[];
  readonly secrets: readonly StoredSecret[];
}

/** A JSON answer: HTTP status and body. Errors use AWS's `{"__type", "message"}` shape. */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CREATED = 1_700_000_000;
const VERSION_ID = '00000000-0000-4000-8000-000000000001';

export const GET_PARAMETERS_MAX = 10;
export const BY_PATH_PAGE_MAX = 10;
export const BATCH_GET_SECRETS_MAX = 20;

export function awsError(code: string, message: string): Answer {
  return { status: 400, body: { __type: code, message } };
}

function parameterShape(parameter: StoredParameter, withDecryption: boolean): Record<string, unknown> {
  const hidden = parameter.type === 'SecureString' && !withDecryption;
  return {
    Name: parameter.name,
    Type: parameter.type,
    // SSM returns the ciphertext (base64) of a SecureString read without decryption.
    Value: hidden ? Buffer.from(`ciphertext:${parameter.value}`).toString('base64') : parameter.value,
    Version: 1,
    LastModifiedDate: CREATED,
    ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${parameter.name.startsWith('/') ? '' : '/'}${parameter.name}`,
    DataType: 'text',
  };
}

function secretShape(secret: StoredSecret): Record<string, unknown> {
  return {
    ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secret.name}-AbCdEf`,
    Name: secret.name,
    VersionId: VERSION_ID,
    SecretString: secret.value,
    VersionStages: ['AWSCURRENT'],
    CreatedDate: CREATED,
  };
}

function stringField(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringList(input: Record<string, unknown>, field: string): string[] | undefined {
  const value = input[field];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

export class Store {
  private readonly parameters: Map<string, StoredParameter>;
  private readonly secrets: Map<string, StoredSecret>;

  constructor(contents: Contents) {
    this.parameters = new Map(contents.parameters.map((p) => [p.name, p]));
    this.secrets = new Map(contents.secrets.map((s) => [s.name, s]));
  }

  /** Whether answering this call decrypts a SecureString (and so spends a KMS Decrypt). */
  decrypts(api: string, input: Record<string, unknown>): boolean {
    if (input.WithDecryption !== true) return false;
    const names =
      api === 'GetParameter'
        ? [stringField(input, 'Name') ?? '']
        : api === 'GetParameters'
          ? (stringList(input, 'Names') ?? [])
          : api === 'GetParametersByPath'
            ? this.underPath(input).map((p) => p.name)
            : [];
    return names.some((name) => this.parameters.get(name)?.type === 'SecureString');
  }

  getParameter(input: Record<string, unknown>): Answer {
    const name = stringField(input, 'Name');
    if (name === undefined) return awsError('ValidationException', 'Name is required');
    const parameter = this.parameters.get(name);
    if (parameter === undefined) return awsError('ParameterNotFound', '');
    return { status: 200, body: { Parameter: parameterShape(parameter, input.WithDecryption === true) } };
  }

  getParameters(input: Record<string, unknown>): Answer {
    const names = stringList(input, 'Names');
    if (names === undefined || names.length === 0 || names.length > GET_PARAMETERS_MAX) {
      return awsError('ValidationException', `Names must hold 1 to ${GET_PARAMETERS_MAX} names`);
    }
    const found = names.flatMap((name) => {
      const parameter = this.parameters.get(name);
      return parameter === undefined ? [] : [parameterShape(parameter, input.WithDecryption === true)];
    });
    const invalid = names.filter((name) => !this.parameters.has(name));
    return { status: 200, body: { Parameters: found, InvalidParameters: invalid } };
  }

  getParametersByPath(input: Record<string, unknown>): Answer {
    const path = stringField(input, 'Path');
    if (path === undefined || !path.startsWith('/'))
      return awsError('ValidationException', 'Path must start with /');
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : BY_PATH_PAGE_MAX;
    if (!Number.isInteger(max) || max < 1 || max > BY_PATH_PAGE_MAX) {
      return awsError('ValidationException', `MaxResults must be 1 to ${BY_PATH_PAGE_MAX}`);
    }
    const all = this.underPath(input);
    const start = typeof input.NextToken === 'string' ? Number.parseInt(input.NextToken, 10) || 0 : 0;
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? { NextToken: String(start + max) } : {};
    return {
      status: 200,
      body: { Parameters: page.map((p) => parameterShape(p, input.WithDecryption === true)), ...next },
    };
  }

  getSecretValue(input: Record<string, unknown>): Answer {
    const id = stringField(input, 'SecretId');
    if (id === undefined) return awsError('ValidationException', 'SecretId is required');
    const secret = this.secret(id);
    if (secret === undefined) {
      return awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    return { status: 200, body: secretShape(secret) };
  }

  batchGetSecretValue(input: Record<string, unknown>): Answer {
    const ids = stringList(input, 'SecretIdList');
    if (ids === undefined || ids.length === 0 || ids.length > BATCH_GET_SECRETS_MAX) {
      return awsError('ValidationException', `SecretIdList must hold 1 to ${BATCH_GET_SECRETS_MAX} ids`);
    }
    const values: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const id of ids) {
      const secret = this.secret(id);
      if (secret === undefined) {
        errors.push({
          SecretId: id,
          ErrorCode: 'ResourceNotFoundException',
          Message: "Secrets Manager can't find the specified secret.",
        });
      } else {
        values.push(secretShape(secret));
      }
    }
    return { status: 200, body: { SecretValues: values, Errors: errors } };
  }

  private secret(id: string): StoredSecret | undefined {
    const byName = this.secrets.get(id);
    if (byName !== undefined) return byName;
    return [...this.secrets.values()].find((s) => secretShape(s).ARN === id);
  }

  private underPath(input: Record<string, unknown>): StoredParameter[] {
    const path = stringField(input, 'Path') ?? '';
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const recursive = input.Recursive === true;
    return [...this.parameters.values()]
      .filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
