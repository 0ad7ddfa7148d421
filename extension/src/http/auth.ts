/**
 * Who may ask: the function in the same sandbox, proven by the session token it was given.
 * A request carrying X-Forwarded-For came through a proxy, i.e. from outside the sandbox: refused.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const TOKEN_HEADER = 'x-aws-parameters-secrets-token';

/** Compares without an early exit, so response time does not reveal how much of a token matched. */
function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** True when the token header (Node lowercases names, so any casing) equals one of the accepted tokens. */
export function hasValidToken(headers: IncomingHttpHeaders, tokens: readonly string[]): boolean {
  const sent = headers[TOKEN_HEADER];
  // A repeated header arrives joined with ", " and never matches: ambiguity is refused.
  if (typeof sent !== 'string' || sent === '') return false;
  let valid = false;
  for (const token of tokens) valid = sameString(sent, token) || valid;
  return valid;
}

export function isForwarded(headers: IncomingHttpHeaders): boolean {
  return headers['x-forwarded-for'] !== undefined;
}
