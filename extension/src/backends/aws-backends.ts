/**
 * The SDK adapters. This module is the root of a separate bundle (aws.cjs) that the extension loads on
 * its first cache miss, so no AWS SDK code is parsed before a value is actually needed.
 *
 * Endpoints, region and credentials come from the SDK's standard sources (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_REGION, the Lambda role's env credentials).
 */
import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { BackendError } from '../errors.js';
import { notInAnswer, PARAMETER_NOT_FOUND, tooManyParameters } from '../messages.js';
import type { Service } from '../service.js';
import { isThrottling, itemError, timeoutError, toBackendError } from './aws-errors.js';
import { type ParameterShape, parameterBody, type SecretShape, secretBody } from './serialize.js';
import type { BackendSettings, Backends, FetchedParameter } from './types.js';

/** The slice of an SDK v3 client we use; unit tests pass a fake with the same shape. */
export interface SendsCommands {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

export type AwsClients = Readonly<Record<Service, SendsCommands>>;

/** AWS's per-call limits: GetParameters takes 10 names, BatchGetSecretValue 20 ids. */
export const GET_PARAMETERS_BATCH = 10;
export const BATCH_GET_SECRET_VALUE_BATCH = 20;
/** GetParametersByPath's largest page. */
const BY_PATH_PAGE = 10;
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

/** Runs one SDK call, told to `settings.observe` (the metrics) when it ends. */
async function call<T>(
  service: Service,
  clients: AwsClients,
  command: unknown,
  settings: BackendSettings,
): Promise<T> {
  const observe = settings.observe;
  if (observe === undefined) return callWithin<T>(service, clients, command, settings);
  const started = performance.now();
  try {
    const output = await callWithin<T>(service, clients, command, settings);
    observe(service, performance.now() - started, undefined);
    return output;
  } catch (error) {
    const failure = toBackendError(service, error);
    observe(service, performance.now() - started, { code: failure.code, throttled: isThrottling(failure) });
    throw failure;
  }
}

/** Runs one SDK call within the service's *_TIMEOUT_MILLIS budget (0: no budget), retries included. */
async function callWithin<T>(
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
  Parameters?: ParameterShape[];
  InvalidParameters?: string[];
}

interface GetParametersByPathOutput {
  Parameters?: ParameterShape[];
  NextToken?: string;
}

interface BatchGetSecretValueOutput {
  SecretValues?: SecretShape[];
  Errors?: Array<{ SecretId?: string; ErrorCode?: string; Message?: string }>;
}

/**
 * A batch read: `read` runs on chunks of `size` ids (AWS's per-call limit), in parallel, and sets what
 * each id got. A chunk whose call failed fails each of its ids with that error; an id its answer left
 * out fails as not in the answer.
 */
async function inChunks<T>(
  service: Service,
  ids: readonly string[],
  size: number,
  read: (chunk: string[], results: Map<string, T | Error>) => Promise<void>,
): Promise<Map<string, T | Error>> {
  const results = new Map<string, T | Error>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  await Promise.all(
    chunks.map(async (chunk) => {
      try {
        await read(chunk, results);
      } catch (error) {
        for (const id of chunk) results.set(id, error as Error);
      }
      const missing = notInAnswer(service);
      for (const id of chunk) {
        if (!results.has(id)) results.set(id, new BackendError(missing.code, missing.message, false));
      }
    }),
  );
  return results;
}

/** Which of the names asked a returned parameter answers: as asked, by ARN, or as name:selector. */
function askedName(asked: readonly string[], parameter: ParameterShape): string | undefined {
  return asked.find(
    (name) =>
      name === parameter.Name ||
      name === parameter.ARN ||
      name === `${parameter.Name}${parameter.Selector ?? ''}`,
  );
}

const fetched = (parameter: ParameterShape): FetchedParameter => ({
  json: parameterBody(parameter),
  secure: parameter.Type === 'SecureString',
});

export function createAwsBackends(settings: BackendSettings, clients = createClients(settings)): Backends {
  return {
    async getParameter({ name, withDecryption }) {
      const output = await call<{ Parameter?: ParameterShape }>(
        'ssm',
        clients,
        new GetParameterCommand({ Name: name, WithDecryption: withDecryption }),
        settings,
      );
      return parameterBody(output.Parameter ?? {});
    },

    getParameters: (names, withDecryption) =>
      inChunks('ssm', names, GET_PARAMETERS_BATCH, async (batch, results) => {
        const output = await call<GetParametersOutput>(
          'ssm',
          clients,
          new GetParametersCommand({ Names: batch, WithDecryption: withDecryption }),
          settings,
        );
        for (const parameter of output.Parameters ?? []) {
          const name = askedName(batch, parameter);
          if (name !== undefined) results.set(name, fetched(parameter));
        }
        for (const name of output.InvalidParameters ?? []) {
          const { code, message } = PARAMETER_NOT_FOUND;
          results.set(name, new BackendError(code, message, false));
        }
      }),

    async getParametersByPath({ path, recursive, withDecryption }, maxParameters) {
      const parameters: Array<FetchedParameter & { name: string }> = [];
      let nextToken: string | undefined;
      // SSM may answer a page with no parameter but a NextToken; bound the pages as well as the count.
      const maxPages = 2 * Math.ceil(maxParameters / BY_PATH_PAGE) + 1;
      for (let page = 1; ; page++) {
        const output = await call<GetParametersByPathOutput>(
          'ssm',
          clients,
          new GetParametersByPathCommand({
            Path: path,
            Recursive: recursive,
            WithDecryption: withDecryption,
            MaxResults: BY_PATH_PAGE,
            NextToken: nextToken,
          }),
          settings,
        );
        for (const parameter of output.Parameters ?? []) {
          parameters.push({ name: parameter.Name ?? '', ...fetched(parameter) });
        }
        nextToken = output.NextToken === '' ? undefined : output.NextToken;
        if (parameters.length <= maxParameters && nextToken === undefined) return { parameters };
        if (parameters.length > maxParameters || page >= maxPages) {
          const { code, message } = tooManyParameters(maxParameters);
          throw new BackendError(code, message, false);
        }
      }
    },

    async getSecretValue({ secretId, versionId, versionStage }) {
      const output = await call<SecretShape>(
        'secretsManager',
        clients,
        new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: versionStage }),
        settings,
      );
      return secretBody(output);
    },

    getSecretValues: (secretIds) =>
      inChunks('secretsManager', secretIds, BATCH_GET_SECRET_VALUE_BATCH, async (batch, results) => {
        const output = await call<BatchGetSecretValueOutput>(
          'secretsManager',
          clients,
          new BatchGetSecretValueCommand({ SecretIdList: batch }),
          settings,
        );
        for (const secret of output.SecretValues ?? []) {
          const id = batch.find((asked) => asked === secret.Name || asked === secret.ARN);
          if (id !== undefined) results.set(id, secretBody(secret));
        }
        for (const failed of output.Errors ?? []) {
          if (failed.SecretId === undefined || !batch.includes(failed.SecretId)) continue;
          results.set(
            failed.SecretId,
            itemError(failed.ErrorCode ?? 'InternalFailure', failed.Message ?? ''),
          );
        }
      }),
  };
}
