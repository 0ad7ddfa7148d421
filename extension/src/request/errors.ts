/**
 * Errors that travel to the HTTP layer with their status and AWS-shaped code. They are recognised by a
 * brand property, not instanceof: the entry bundle, the fastify bundle and the SDK bundle each carry
 * their own copy of this module.
 */

export interface HttpFailure {
  readonly httpFailure: true;
  readonly statusCode: number;
  /** `__type` of the body: an AWS error code (ParameterNotFound, ThrottlingException…) or one of ours. */
  readonly code: string;
  readonly message: string;
  /** Worth serving a stale value for: timeouts, connection errors, 5xx, throttling. */
  readonly transient: boolean;
}

export class RequestError extends Error implements HttpFailure {
  readonly httpFailure = true as const;
  readonly transient = false;
  override readonly name = 'RequestError';
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** A failed call to SSM or Secrets Manager. AWS's extension answers every one with 400; so do we. */
export class BackendError extends Error implements HttpFailure {
  readonly httpFailure = true as const;
  readonly statusCode = 400;
  override readonly name = 'BackendError';
  readonly code: string;
  readonly transient: boolean;
  constructor(code: string, message: string, transient: boolean) {
    super(message);
    this.code = code;
    this.transient = transient;
  }
}

export function isHttpFailure(value: unknown): value is HttpFailure {
  return (
    typeof value === 'object' && value !== null && (value as { httpFailure?: unknown }).httpFailure === true
  );
}
