/**
 * SSM and Secrets Manager as moto answers them, over FIXTURES, behind the `SendsCommands` interface of
 * backends/aws-backends.ts: the pipeline's unit test runs the real SDK adapters (error mapping, Go
 * serialisation) against it, so that only the network is fake. Error codes and messages are moto's,
 * as recorded in the golden table.
 */
import type { AwsClients, SendsCommands } from '../../extension/src/backends/aws-backends.js';
import { FIXTURES } from './wire.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CREATED = new Date('2026-01-02T03:04:05.678Z');

/** What the SDK throws for an AWS error answer (the shape backends/aws-errors.ts reads). */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

interface Command {
  readonly input: Record<string, unknown>;
  readonly constructor: { readonly name: string };
}

function getParameter(input: { Name: string; WithDecryption?: boolean }): unknown {
  const { Name: requested, WithDecryption: decrypt } = input;
  if (requested.startsWith('/aws/reference/secretsmanager/') && decrypt !== true) {
    throw awsError(
      'ValidationException',
      'WithDecryption flag must be True for retrieving a Secret Manager secret.',
    );
  }
  const colon = requested.lastIndexOf(':');
  const base = colon > 0 ? requested.slice(0, colon) : requested;
  const selector = colon > 0 ? requested.slice(colon + 1) : undefined;
  const fixture = FIXTURES.parameters.find((p) => p.name === base);
  if (fixture === undefined) throw awsError('ParameterNotFound', `Parameter ${requested} not found.`);
  let version = fixture.versions.length;
  if (selector !== undefined && /^\d+$/.test(selector)) {
    version = Number(selector);
    if (version < 1 || version > fixture.versions.length) {
      throw awsError(
        'ParameterVersionNotFound',
        `Systems Manager could not find version ${selector} of ${base}. Verify the version and try again.`,
      );
    }
  } else if (selector !== undefined) {
    version = fixture.versions.findIndex((v) => v.labels?.includes(selector)) + 1;
    if (version === 0) throw awsError('ParameterNotFound', `Parameter ${requested} not found.`);
  }
  const value = fixture.versions[version - 1]?.value ?? '';
  const secure = fixture.type === 'SecureString';
  return {
    Parameter: {
      Name: base,
      Type: fixture.type,
      Value: secure && decrypt !== true ? `kms:alias/aws/ssm:${value}` : value,
      Version: version,
      LastModifiedDate: CREATED,
      ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${base}`,
      DataType: 'text',
    },
  };
}

function getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): unknown {
  const fixture = FIXTURES.secrets.find((s) => s.name === input.SecretId);
  if (fixture === undefined) {
    throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }
  const ids = fixture.versions.map((_, i) => `${fixture.name}-v${i + 1}`);
  let index = fixture.versions.length - 1;
  if (input.VersionId !== undefined) {
    index = ids.indexOf(input.VersionId);
    if (index === -1) {
      throw awsError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`,
      );
    }
  } else if (input.VersionStage === 'AWSPREVIOUS') {
    index = fixture.versions.length - 2;
  }
  const value = fixture.versions[index];
  const last = fixture.versions.length - 1;
  return {
    ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${fixture.name}-AbCdEf`,
    Name: fixture.name,
    VersionId: ids[index],
    ...(typeof value === 'string' ? { SecretString: value } : { SecretBinary: value }),
    VersionStages: [index === last ? 'AWSCURRENT' : 'AWSPREVIOUS'],
    CreatedDate: CREATED,
  };
}

function client(answer: (command: Command) => unknown): SendsCommands {
  return { send: async (command) => answer(command as Command) };
}

/** SDK clients that answer from FIXTURES as moto does. */
export function fakeAwsClients(): AwsClients {
  return {
    ssm: client((command) => getParameter(command.input as { Name: string; WithDecryption?: boolean })),
    secretsManager: client((command) =>
      getSecretValue(command.input as { SecretId: string; VersionId?: string; VersionStage?: string }),
    ),
  };
}

/** SDK clients whose every call fails as a refused connection does. */
export function unreachableAwsClients(): AwsClients {
  const refused = client(() => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  });
  return { ssm: refused, secretsManager: refused };
}
