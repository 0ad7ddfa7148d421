/**
 * The one place where an SDK failure becomes what the caller sees: a BackendError with AWS's error code
 * and message. AWS's extension hides all of this behind one sentence; we name the cause, but pass a
 * message through only when it is AWS's own service message. Anything else (connection failures,
 * unreadable responses) gets a fixed text, because such messages can quote the raw response, and a
 * raw response may hold a secret value.
 */
import { BackendError } from '../request/errors.js';

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'BandwidthLimitExceeded',
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ENOTFOUND',
]);

const MAX_MESSAGE = 512;

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
  $responseBodyText?: unknown;
}

function clip(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE)}…` : oneLine;
}

function statusOf(error: SdkErrorLike): number | undefined {
  const status = error.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** An error AWS answered with, carrying its code and its own message (not a parse failure of ours). */
function isServiceError(error: SdkErrorLike): boolean {
  return (
    (error.$fault === 'client' || error.$fault === 'server') &&
    typeof error.name === 'string' &&
    /^[A-Za-z][A-Za-z0-9.]*$/.test(error.name) &&
    error.$responseBodyText === undefined &&
    typeof error.message === 'string' &&
    !error.message.includes('Deserialization error')
  );
}

export type ServiceLabel = 'SSM' | 'Secrets Manager';

/** Our own timeout (the *_TIMEOUT_MILLIS budget) ran out. */
export function timeoutError(service: ServiceLabel, timeoutMs: number): BackendError {
  return new BackendError('TimeoutError', `${service} did not answer within ${timeoutMs} ms`, true);
}

export function toBackendError(service: ServiceLabel, thrown: unknown): BackendError {
  if (thrown instanceof BackendError) return thrown;
  const error = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as SdkErrorLike;
  const status = statusOf(error);
  const name = typeof error.name === 'string' ? error.name : '';
  const code = typeof error.code === 'string' ? error.code : '';

  if (isServiceError(error)) {
    const throttled = THROTTLING_CODES.has(name) || error.$retryable?.throttling === true;
    const transient = throttled || error.$fault === 'server' || (status !== undefined && status >= 500);
    return new BackendError(name, clip(String(error.message)), transient);
  }
  if (CONNECTION_CODES.has(code) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return new BackendError('ConnectionError', `could not reach ${service}${code ? ` (${code})` : ''}`, true);
  }
  if (typeof error.message === 'string' && /^Region is missing/.test(error.message)) {
    return new BackendError('ConfigurationError', 'no AWS region: set AWS_REGION', false);
  }
  if (name === 'CredentialsProviderError') {
    return new BackendError(name, `no AWS credentials: ${clip(String(error.message))}`, false);
  }
  if (status !== undefined || name === 'SyntaxError' || error.$responseBodyText !== undefined) {
    const shown = status === undefined ? '' : ` (HTTP ${status})`;
    return new BackendError(
      'InvalidResponse',
      `${service} sent a response that could not be read${shown}`,
      true,
    );
  }
  return new BackendError('InternalFailure', `the call to ${service} failed unexpectedly`, false);
}
