import { describe, expect, it } from 'vitest';
import { Store } from '../../../scale/standin/store.js';

const store = new Store({
  parameters: [
    { name: '/app/a', type: 'String', value: 'A' },
    { name: '/app/b', type: 'String', value: 'B' },
    { name: '/app/deep/c', type: 'String', value: 'C' },
    { name: '/app/secure', type: 'SecureString', value: 'S' },
  ],
  secrets: [{ name: 'db', value: '{"password":"pw"}' }],
});

describe('Store (the stand-in answers in SSM and Secrets Manager shapes)', () => {
  it('answers GetParameter, hiding a SecureString without decryption', () => {
    const plain = store.getParameter({ Name: '/app/a' });
    expect(plain.status).toBe(200);
    expect(plain.body.Parameter).toMatchObject({ Name: '/app/a', Type: 'String', Value: 'A', Version: 1 });
    const hidden = store.getParameter({ Name: '/app/secure' }).body.Parameter as { Value: string };
    expect(hidden.Value).not.toBe('S');
    const shown = store.getParameter({ Name: '/app/secure', WithDecryption: true }).body.Parameter;
    expect(shown).toMatchObject({ Value: 'S', Type: 'SecureString' });
    expect(store.getParameter({ Name: '/nope' })).toEqual({
      status: 400,
      body: { __type: 'ParameterNotFound', message: '' },
    });
  });

  it('answers GetParameters with InvalidParameters and refuses more than 10 names', () => {
    const answer = store.getParameters({ Names: ['/app/a', '/nope', '/app/b'] });
    expect((answer.body.Parameters as { Name: string }[]).map((p) => p.Name)).toEqual(['/app/a', '/app/b']);
    expect(answer.body.InvalidParameters).toEqual(['/nope']);
    const tooMany = store.getParameters({ Names: Array.from({ length: 11 }, (_, i) => `/p${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.__type).toBe('ValidationException');
  });

  it('pages GetParametersByPath, recursive only when asked', () => {
    const flat = store.getParametersByPath({ Path: '/app' });
    expect((flat.body.Parameters as { Name: string }[]).map((p) => p.Name)).toEqual([
      '/app/a',
      '/app/b',
      '/app/secure',
    ]);
    const first = store.getParametersByPath({ Path: '/app/', Recursive: true, MaxResults: 2 });
    expect((first.body.Parameters as unknown[]).length).toBe(2);
    const rest = store.getParametersByPath({
      Path: '/app/',
      Recursive: true,
      MaxResults: 2,
      NextToken: first.body.NextToken,
    });
    expect((rest.body.Parameters as unknown[]).length).toBe(2);
    expect(rest.body.NextToken).toBeUndefined();
  });

  it('answers GetSecretValue and BatchGetSecretValue with per-id errors', () => {
    expect(store.getSecretValue({ SecretId: 'db' }).body).toMatchObject({
      Name: 'db',
      SecretString: '{"password":"pw"}',
      VersionStages: ['AWSCURRENT'],
    });
    expect(store.getSecretValue({ SecretId: 'nope' }).body.__type).toBe('ResourceNotFoundException');
    const batch = store.batchGetSecretValue({ SecretIdList: ['db', 'nope'] });
    expect((batch.body.SecretValues as { Name: string }[]).map((s) => s.Name)).toEqual(['db']);
    expect(batch.body.Errors).toMatchObject([{ SecretId: 'nope', ErrorCode: 'ResourceNotFoundException' }]);
  });

  it('knows which calls decrypt a SecureString (they cost a KMS Decrypt)', () => {
    expect(store.decrypts('GetParameter', { Name: '/app/secure', WithDecryption: true })).toBe(true);
    expect(store.decrypts('GetParameter', { Name: '/app/secure' })).toBe(false);
    expect(store.decrypts('GetParameters', { Names: ['/app/a'], WithDecryption: true })).toBe(false);
    expect(store.decrypts('GetParametersByPath', { Path: '/app', WithDecryption: true })).toBe(true);
  });
});
