/**
 * The SDK adapters. This module is the root of a separate bundle (aws.cjs) that the extension loads on
 * its first cache miss, so no AWS SDK code is parsed before a value is actually needed.
 *
 * Endpoints, region and credentials come from the SDK's standard sources (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION, the Lambda role's env credentials).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Service } from '../service.js';
import { timeoutError, toBackendError } from './aws-errors.js';
import { parameterBody, secretBody } from './serialize.js';
import type { BackendSettings, Backends, PrefetchedParameter } from './types.js';

/** The slice of an SDK v3 client we use; unit tests pass a fake with the same shape. */
export interface SendsCommands {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export type AwsClients = Readonly<Record<Service, SendsCommands>>;

const GET_PARAMETERS_BATCH = 10;
const USER_AGENT = 'parameters-secrets-extension';

function createClients(settings: BackendSettings): AwsClients {
  // MAX_CONNECTIONS is AWS's outbound pool per client; the SDK takes it as the agents' maxSockets.
  const requestHandler = {
    httpAgent: { keepAlive: true, maxSockets: settings.maxConnections },
    httpsAgent: { keepAlive: true, maxSockets: settings.maxConnections },
  };
  return {
    ssm: new SSMClient({ requestHandler, customUserAgent: USER_AGENT }) as SendsCommands,
    secretsManager: new SecretsManagerClient({
      requestHandler,
      customUserAgent: USER_AGENT,
    }) as SendsCommands,
  };
}

type AttemptHandler = (args: unknown) => Promise<unknown>;

/** The part of an SDK v3 command we touch: its own middleware stack (each command instance has one). */
interface CommandWithStack {
  readonly middlewareStack?: {
    add(
      middleware: (next: AttemptHandler) => AttemptHandler,
      options: { step: 'deserialize'; priority: 'high'; name: string },
    ): void;
  };
}

/**
 * Records the error of each attempt the SDK makes (the deserialize step runs once per attempt, inside the
 * retry loop), except attempts cut by our own abort. When the budget runs out while the SDK backs off
 * between retries, the caller then learns the real cause (ThrottlingException, a 5xx, a dropped
 * connection) instead of a bare timeout.
 */
function recordAttemptErrors(command: unknown, signal: AbortSignal): { last: unknown } {
  const seen: { last: unknown } = { last: undefined };
  (command as CommandWithStack).middlewareStack?.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!signal.aborted) seen.last = error;
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'recordAttemptErrors' },
  );
  return seen;
}

/** Runs one SDK call within the service's *_TIMEOUT_MILLIS budget (0: no budget), retries included. */
async function call<T>(
  service: Service,
  clients: AwsClients,
  command: unknown,
  settings: BackendSettings,
): Promise<T> {
  const client = clients[service];
  const timeoutMs = settings.timeoutMs[service];
  if (timeoutMs <= 0) {
    try {
      return (await client.send(command)) as T;
    } catch (error) {
      throw toBackendError(service, error);
    }
  }
  const controller = new AbortController();
  const attempts = recordAttemptErrors(command, controller.signal);
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return (await client.send(command, { abortSignal: controller.signal })) as T;
  } catch (error) {
    if (!controller.signal.aborted) throw toBackendError(service, error);
    // Out of budget: name the last failed attempt if there was one, else it is a plain timeout.
    throw attempts.last === undefined
      ? timeoutError(service, timeoutMs)
      : toBackendError(service, attempts.last);
  } finally {
    clearTimeout(timer);
  }
}

interface GetParametersOutput {
  Parameters?: Array<Parameters<typeof parameterBody>[0]>;
}

export function createAwsBackends(settings: BackendSettings, clients = createClients(settings)): Backends {
  return {
    async getParameter({ name, withDecryption }) {
      const output = await call<{ Parameter?: Parameters<typeof parameterBody>[0] }>(
        'ssm',
        clients,
        new GetParameterCommand({ Name: name, WithDecryption: withDecryption }),
        settings,
      );
      return parameterBody(output.Parameter ?? {});
    },

    async getParameters(names) {
      const found: PrefetchedParameter[] = [];
      for (let i = 0; i < names.length; i += GET_PARAMETERS_BATCH) {
        const batch = names.slice(i, i + GET_PARAMETERS_BATCH);
        const output = await call<GetParametersOutput>(
          'ssm',
          clients,
          new GetParametersCommand({ Names: batch, WithDecryption: true }),
          settings,
        );
        for (const parameter of output.Parameters ?? []) {
          // Match the answer to the name as requested (plain, ARN, or name:selector).
          const requested = batch.find(
            (name) =>
              name === parameter.Name ||
              name === parameter.ARN ||
              name === `${parameter.Name}${parameter.Selector ?? ''}`,
          );
          if (requested === undefined) continue;
          found.push({
            name: requested,
            secure: parameter.Type === 'SecureString',
            json: parameterBody(parameter),
          });
        }
      }
      return found;
    },

    async getSecretValue({ secretId, versionId, versionStage }) {
      const output = await call<Parameters<typeof secretBody>[0]>(
        'secretsManager',
        clients,
        new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: versionStage }),
        settings,
      );
      return secretBody(output);
    },
  };
}
