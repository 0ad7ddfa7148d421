/**
 * The one place where an SDK failure becomes what the caller sees: a BackendError with AWS's error code
 * and message. AWS's extension hides all of this behind one sentence; we name the cause, but pass a
 * message through only when it is AWS's own service message. Anything else (connection failures,
 * unreadable responses) gets a fixed text, because such messages can quote the raw response, and a
 * raw response may hold a secret value.
 */
import { BackendError } from '../errors.js';
import {
  backendTimeout,
  backendUnexpected,
  backendUnreachable,
  backendUnreadable,
  type ErrorText,
  NO_REGION,
  noCredentials,
} from '../messages.js';
import type { Service } from '../service.js';

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

function failure(text: ErrorText, transient: boolean, cause: unknown): BackendError {
  return new BackendError(text.code, text.message, transient, { cause });
}

/** Whether a failure is AWS throttling us (for the metrics' throttle counter). */
export function isThrottling(error: BackendError): boolean {
  return THROTTLING_CODES.has(error.code);
}

/** An item a batch call reported as failed (BatchGetSecretValue's Errors): AWS's code and message. */
export function itemError(code: string, message: string): BackendError {
  const transient = THROTTLING_CODES.has(code) || code === 'InternalServiceError';
  return new BackendError(code, clip(message), transient);
}

/** Our own timeout (the *_TIMEOUT_MILLIS budget) ran out. */
export function timeoutError(service: Service, timeoutMs: number): BackendError {
  return failure(backendTimeout(service, timeoutMs), true, undefined);
}

/** The BackendError for anything an SDK call threw; the thrown value is kept as its `cause`. */
export function toBackendError(service: Service, thrown: unknown): BackendError {
  if (thrown instanceof BackendError) return thrown;
  const error = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as SdkErrorLike;
  const status = statusOf(error);
  const name = typeof error.name === 'string' ? error.name : '';
  const code = typeof error.code === 'string' ? error.code : '';

  if (isServiceError(error)) {
    const throttled = THROTTLING_CODES.has(name) || error.$retryable?.throttling === true;
    const transient = throttled || error.$fault === 'server' || (status !== undefined && status >= 500);
    return new BackendError(name, clip(String(error.message)), transient, { cause: thrown });
  }
  if (CONNECTION_CODES.has(code) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return failure(backendUnreachable(service, code), true, thrown);
  }
  if (typeof error.message === 'string' && /^Region is missing/.test(error.message)) {
    return failure(NO_REGION, false, thrown);
  }
  if (name === 'CredentialsProviderError') {
    return failure(noCredentials(clip(String(error.message))), false, thrown);
  }
  if (status !== undefined || name === 'SyntaxError' || error.$responseBodyText !== undefined) {
    return failure(backendUnreadable(service, status), true, thrown);
  }
  return failure(backendUnexpected(service), false, thrown);
}
