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

export function parameterBody(parameter: ParameterShape): string {
  return goJson({
    Parameter: {
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
    },
    ResultMetadata: {},
  });
}

export function secretBody(secret: SecretShape): string {
  return goJson({
    ARN: secret.ARN ?? null,
    CreatedDate: goTime(secret.CreatedDate),
    Name: secret.Name ?? null,
    SecretBinary:
      secret.SecretBinary === undefined ? null : Buffer.from(secret.SecretBinary).toString('base64'),
    SecretString: secret.SecretString ?? null,
    VersionId: secret.VersionId ?? null,
    VersionStages: secret.VersionStages ?? null,
    ResultMetadata: {},
  });
}
