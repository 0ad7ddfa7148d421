/**
 * Every text a client can read in an answer, in one place (AWS's Secrets Manager Agent keeps its own in
 * constants.rs the same way). Error answers are `{"__type":<code>,"message":<text>}`; a code is AWS's
 * where AWS answered, ours otherwise. None of them echoes the request: a request can carry a secret.
 */
import { SERVICE_LABEL, type Service } from './service.js';

/** A fixed error answer: its `__type` and its `message`. */
export interface ErrorText {
  readonly code: string;
  readonly message: string;
}

/** Body of GET /ping. */
export const PING_BODY = 'healthy';
/** Body of every 401 (AWS's exact text, as text/plain: clients match on it). */
export const BAD_TOKEN_BODY = 'bad session token or header key';

export const FORWARDED: ErrorText = {
  code: 'ForwardedRequest',
  message: 'requests carrying X-Forwarded-For are refused',
};
export const BAD_PATH: ErrorText = { code: 'BadRequest', message: 'the request path is not a valid URL' };
export const NOT_FOUND: ErrorText = { code: 'NotFound', message: 'no such endpoint' };
export const METHOD_NOT_ALLOWED: ErrorText = { code: 'MethodNotAllowed', message: 'only GET is supported' };
export const INTERNAL_FAILURE: ErrorText = { code: 'InternalFailure', message: 'internal failure' };
export const NOT_READY: ErrorText = { code: 'ServiceUnavailable', message: 'the extension is not ready' };
export const SHUTTING_DOWN: ErrorText = {
  code: 'ServiceUnavailable',
  message: 'the extension is shutting down',
};

/** Query rules (http/lookup.ts). */
export const MISSING_PARAMETER = 'MissingParameter';
export const INVALID_PARAMETER = 'InvalidParameter';
export const missingQueryParameter = (key: string): string => `query parameter '${key}' is required`;
export const notABoolean = (key: string): string => `query parameter '${key}' must be true or false`;
export const tooLong = (what: string, max: number): string =>
  `${what} is longer than the ${max} characters AWS allows`;

/** Backend failures that are not AWS's own answer (backends/aws-errors.ts). */
export const backendTimeout = (service: Service, timeoutMs: number): ErrorText => ({
  code: 'TimeoutError',
  message: `${SERVICE_LABEL[service]} did not answer within ${timeoutMs} ms`,
});
export const backendUnreachable = (service: Service, socketCode: string): ErrorText => ({
  code: 'ConnectionError',
  message: `could not reach ${SERVICE_LABEL[service]}${socketCode ? ` (${socketCode})` : ''}`,
});
export const backendUnreadable = (service: Service, httpStatus: number | undefined): ErrorText => ({
  code: 'InvalidResponse',
  message: `${SERVICE_LABEL[service]} sent a response that could not be read${httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`}`,
});
export const backendUnexpected = (service: Service): ErrorText => ({
  code: 'InternalFailure',
  message: `the call to ${SERVICE_LABEL[service]} failed unexpectedly`,
});
export const NO_REGION: ErrorText = { code: 'ConfigurationError', message: 'no AWS region: set AWS_REGION' };
export const noCredentials = (detail: string): ErrorText => ({
  code: 'CredentialsProviderError',
  message: `no AWS credentials: ${detail}`,
});

/** Batch reads (http/batch.ts, backends/aws-backends.ts). */
export const listTooLong = (key: string, max: number): string =>
  `query parameter '${key}' lists more than the ${max} items a batch read takes`;
export const emptyListItem = (key: string): string => `query parameter '${key}' has an empty item`;
export const PARAMETER_NOT_FOUND: ErrorText = {
  code: 'ParameterNotFound',
  message: 'SSM listed the parameter as invalid (it does not exist, or the version or label does not)',
};
export const notInAnswer = (service: Service): ErrorText => ({
  code: 'InvalidResponse',
  message: `${SERVICE_LABEL[service]} answered the batch without this item`,
});
export const tooManyParameters = (max: number): ErrorText => ({
  code: 'TooManyParameters',
  message: `the path holds more than the ${max} parameters one by-path read returns; read narrower paths`,
});
