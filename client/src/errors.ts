/**
 * Marks the client's errors. The module's two faces (index.mjs, index.cjs) are separate bundles, each
 * with its own copy of this class; `instanceof` checks the mark, so an error from one face is an
 * instance of the other's class.
 */
const MARK = Symbol.for('parameters-secrets.ParametersSecretsError');

/** The one error type the client throws: AWS's error code (or ours) and the extension's HTTP status. */
export class ParametersSecretsError extends Error {
  /** AWS's error code (`ParameterNotFound`, `AccessDeniedException`, …) or one of the extension's own. */
  readonly code: string;
  /** HTTP status of the extension's answer; 0 when the extension could not be reached. */
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ParametersSecretsError';
    this.code = code;
    this.status = status;
  }
}
Object.defineProperty(ParametersSecretsError.prototype, MARK, { value: true });
Object.defineProperty(ParametersSecretsError, Symbol.hasInstance, {
  value(this: unknown, value: unknown): boolean {
    // Subclasses (none in the client) keep the ordinary prototype check.
    if (this !== ParametersSecretsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
  },
});

/** Codes the client itself gives, when the extension's answer carries none. */
export const CLIENT_CODES = {
  /** 401: the token is missing or not one the extension accepts. */
  unauthorized: 'Unauthorized',
  /** Nothing listens on the port (after the bounded retries), or the connection broke. */
  unreachable: 'ExtensionUnreachable',
  /** A 200 whose body is not the JSON the extension sends, or lacks the field asked for. */
  invalidResponse: 'InvalidResponse',
  /** A secret read as a string holds binary data, or the other way round; or not JSON for getSecretJson. */
  wrongType: 'WrongSecretType',
} as const;

/** Turns a non-200 answer into an error; never quotes the body beyond AWS's `message` (no values). */
export function errorFromAnswer(status: number, body: string, what: string): ParametersSecretsError {
  if (status === 401) {
    return new ParametersSecretsError(
      CLIENT_CODES.unauthorized,
      status,
      `${what}: the extension refused the token (set AWS_SESSION_TOKEN or PARAMETERS_SECRETS_EXTENSION_TOKEN)`,
    );
  }
  let code = `HTTP${status}`;
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { __type?: unknown; message?: unknown };
    if (typeof parsed.__type === 'string') code = parsed.__type;
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not the extension's JSON error body (e.g. AWS's extension's plain text): keep the status only.
  }
  return new ParametersSecretsError(code, status, `${what}: ${code}: ${message}`);
}
