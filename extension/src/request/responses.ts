/**
 * Response bodies and headers, computed once: success bodies per cache entry, fixed bodies per process.
 */
import type { HttpFailure } from './errors.js';

/** AWS's extension sends JSON bodies as text/plain (no charset); clients rely on the body, not the type. */
export const SUCCESS_CONTENT_TYPE = 'text/plain';
export const ERROR_CONTENT_TYPE = 'application/json';
export const PING_BODY = 'healthy';

/** Go's json.Marshal escapes these; we match it so bodies are byte-for-byte what AWS's would be. */
export function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The body of every non-2xx answer except 401: `{"__type":"<code>","message":"<text>"}` (AWS's JSON error shape). */
export function errorBody(code: string, message: string): string {
  return goJsonEscape(JSON.stringify({ __type: code, message }));
}

export function failureBody(failure: HttpFailure): string {
  return errorBody(failure.code, failure.message);
}

/** A ready-to-send success answer: the same Buffer and header list serve every hit on the entry. */
export interface PreparedBody {
  readonly body: Buffer;
  /** Flat [name, value, …] list for res.writeHead, so a hit allocates no header object. */
  readonly headers: readonly string[];
}

export function prepareBody(json: string): PreparedBody {
  const body = Buffer.from(json, 'utf8');
  return {
    body,
    headers: ['Content-Type', SUCCESS_CONTENT_TYPE, 'Content-Length', String(body.length)],
  };
}
