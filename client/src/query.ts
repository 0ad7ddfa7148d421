/** The request targets' query strings and the JSON of answers, for every read. */
import { CLIENT_CODES, ParametersSecretsError } from './errors.js';

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** `?a=1&b=x` from the parameters that are set; false and empty ones are left out, as the extension's defaults. */
export function queryOf(query: Query): string {
  let out = '';
  for (const key in query) {
    const value = query[key];
    if (value === undefined || value === false || value === '') continue;
    out += `${out === '' ? '?' : '&'}${key}=${encodeURIComponent(String(value))}`;
  }
  return out;
}

/** A 200's body as JSON; one that is not is the extension's bug, reported without quoting it. */
export function parsed<T>(body: string, what: string): T {
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new ParametersSecretsError(CLIENT_CODES.invalidResponse, 200, `${what}: the answer is not JSON`);
  }
}
