/**
 * The bytes of one GET to the extension. Host is required by HTTP/1.1 (Go's net/http, AWS's
 * extension, answers 400 without it); nothing else is sent but the token, so the extension sees what
 * AWS documents and no more.
 */

export const TOKEN_HEADER = 'X-Aws-Parameters-Secrets-Token';

// Field values may not hold CR, LF or NUL (RFC 9110 §5.5); a token with them would forge headers.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// Request targets the client builds are percent-encoded; anything else is a bug, not a request.
const TARGET = /^\/[\x21-\x7e]*$/;

export function requestHead(port: number, target: string, token: string | undefined): string {
  if (!TARGET.test(target)) throw new TypeError('request target must be an encoded path');
  if (token === undefined) return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
  if (!FIELD_VALUE.test(token)) {
    // Never quote the token: it is a credential.
    throw new TypeError('the extension token holds characters an HTTP header cannot carry');
  }
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${TOKEN_HEADER}: ${token}\r\n\r\n`;
}
