/**
 * The two kinds of failure a read can end in, each with the AWS-shaped code and message its answer
 * carries. What happens to a failure (its status, whether it is logged, whether a stale value may stand
 * in for it) is decided by its kind, in one place each: http/respond.ts and cache/value-cache.ts.
 *
 * This module is its own bundle (errors.cjs, see scripts/build.mjs), required by the entry and by the
 * lazily loaded SDK bundle alike, so `instanceof` holds for an error the SDK adapters threw.
 */

/** The request itself is invalid (a missing name, a flag that is not a boolean, a value too long). */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A call to SSM or Secrets Manager failed. `cause` keeps the SDK's error for whoever debugs; nothing of
 * it but our `code` and `message` is ever sent or logged (an SDK message can quote a raw response).
 */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly code: string;
  /** Worth serving a stale value for: timeouts, connection errors, 5xx, throttling. */
  readonly transient: boolean;
  constructor(code: string, message: string, transient: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.transient = transient;
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof BackendError && error.transient;
}
