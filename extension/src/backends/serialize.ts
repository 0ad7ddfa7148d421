/**
 * SDK outputs → the bodies AWS's extension sends: aws-sdk-go-v2 structs marshalled by Go, i.e. every
 * field present (null when empty) in Go struct order, RFC 3339 dates with trailing zeros trimmed,
 * binary as standard base64, and `"ResultMetadata":{}` instead of the JS SDK's `$metadata`.
 */
import { goJson, goTime } from '../wire/go-json.js';

export interface ParameterShape {
  ARN?: string | undefined;
  DataType?: string | undefined;
  LastModifiedDate?: Date | undefined;
  Name?: string | undefined;
  Selector?: string | undefined;
  SourceResult?: string | undefined;
  Type?: string | undefined;
  Value?: string | undefined;
  Version?: number | undefined;
}

export interface SecretShape {
  ARN?: string | undefined;
  CreatedDate?: Date | undefined;
  Name?: string | undefined;
  SecretBinary?: Uint8Array | undefined;
  SecretString?: string | undefined;
  VersionId?: string | undefined;
  VersionStages?: string[] | undefined;
}

/** GetParameter's body is `{"Parameter":<item>,"ResultMetadata":{}}`: batch answers reuse the item. */
const PARAMETER_OPEN = '{"Parameter":';
const METADATA_CLOSE = ',"ResultMetadata":{}}';

export function parameterBody(parameter: ParameterShape): string {
  return `${PARAMETER_OPEN}${parameterItem(parameter)}${METADATA_CLOSE}`;
}

/** One Parameter as Go marshals types.Parameter (GetParameters and GetParametersByPath list these). */
export function parameterItem(parameter: ParameterShape): string {
  return goJson({
    ARN: parameter.ARN ?? null,
    DataType: parameter.DataType ?? null,
    LastModifiedDate: goTime(parameter.LastModifiedDate),
    Name: parameter.Name ?? null,
    Selector: parameter.Selector ?? null,
    SourceResult: parameter.SourceResult ?? null,
    Type: parameter.Type ?? null,
    Value: parameter.Value ?? null,
    // Go's int64 field: 0 when absent (seen for /aws/reference/secretsmanager/ reads).
    Version: parameter.Version ?? 0,
  });
}

/** The Parameter item inside a body parameterBody wrote (cached single reads serve batch answers). */
export function parameterItemOf(body: string): string {
  return body.slice(PARAMETER_OPEN.length, -METADATA_CLOSE.length);
}

export function secretBody(secret: SecretShape): string {
  return `${secretItem(secret).slice(0, -1)}${METADATA_CLOSE}`;
}

/** One SecretValueEntry as Go marshals it (BatchGetSecretValue's SecretValues: GetSecretValue's fields). */
export function secretItem(secret: SecretShape): string {
  return goJson({
    ARN: secret.ARN ?? null,
    CreatedDate: goTime(secret.CreatedDate),
    Name: secret.Name ?? null,
    SecretBinary:
      secret.SecretBinary === undefined ? null : Buffer.from(secret.SecretBinary).toString('base64'),
    SecretString: secret.SecretString ?? null,
    VersionId: secret.VersionId ?? null,
    VersionStages: secret.VersionStages ?? null,
  });
}

/** The secret item inside a body secretBody wrote. */
export function secretItemOf(body: string): string {
  return `${body.slice(0, -METADATA_CLOSE.length)}}`;
}

/** A batch item that failed: BatchGetSecretValue's APIErrorType; batch parameter reads name `Name`. */
export interface ItemError {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

const errorItems = (errors: readonly ItemError[], idField: 'Name' | 'SecretId'): string =>
  goJson(errors.map((e) => ({ ErrorCode: e.code, Message: e.message, [idField]: e.id })));

/** GetParametersOutput's fields in Go's order, plus `Errors` (calls that failed; AWS's has none). */
export function getParametersBody(
  items: readonly string[],
  invalid: readonly string[],
  errors: readonly ItemError[],
): string {
  return `{"InvalidParameters":${goJson(invalid)},"Parameters":[${items.join(',')}],"Errors":${errorItems(errors, 'Name')}${METADATA_CLOSE}`;
}

/** GetParametersByPathOutput with every page merged, so without NextToken. */
export function parametersByPathBody(items: readonly string[]): string {
  return `{"Parameters":[${items.join(',')}]${METADATA_CLOSE}`;
}

/** BatchGetSecretValueOutput's fields in Go's order, without NextToken (ids are asked, not filtered). */
export function batchGetSecretValueBody(items: readonly string[], errors: readonly ItemError[]): string {
  return `{"Errors":${errorItems(errors, 'SecretId')},"SecretValues":[${items.join(',')}]${METADATA_CLOSE}`;
}
