/** Minimal request helper for tests: status, headers and body text of one GET. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export const TEST_TOKEN = 'test-session-token-5f0c2f1e9a';

export async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** GET with the session token header, as a function inside Lambda would send it. */
export function getWithToken(url: string, token = TEST_TOKEN): Promise<Answer> {
  return get(url, { 'X-Aws-Parameters-Secrets-Token': token });
}
