import { describe, expect, it } from 'vitest';
import { hasValidToken, isForwarded } from '../../../../extension/src/http/auth.js';

describe('hasValidToken', () => {
  const tokens = ['session-token', 'container-token'];
  it.each([
    ['the session token', 'session-token', true],
    ['another accepted token', 'container-token', true],
    ['a prefix of a token', 'session', false],
    ['a token with more after it', 'session-token2', false],
    ['an empty value', '', false],
    ['the header repeated (joined by node:http)', 'session-token, session-token', false],
  ])('%s: %s', (_label, sent, valid) => {
    expect(hasValidToken({ 'x-aws-parameters-secrets-token': sent }, tokens)).toBe(valid);
  });

  it('refuses a missing header, and everything when no token is configured', () => {
    expect(hasValidToken({}, tokens)).toBe(false);
    expect(hasValidToken({ 'x-aws-parameters-secrets-token': 'session-token' }, [])).toBe(false);
  });
});

describe('isForwarded', () => {
  it('is true for any X-Forwarded-For, even an empty one', () => {
    expect(isForwarded({ 'x-forwarded-for': '10.0.0.1' })).toBe(true);
    expect(isForwarded({ 'x-forwarded-for': '' })).toBe(true);
    expect(isForwarded({})).toBe(false);
  });
});
