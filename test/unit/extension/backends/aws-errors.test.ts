import { describe, expect, it } from 'vitest';
import { toBackendError } from '../../../../extension/src/backends/aws-errors.js';

describe('toBackendError', () => {
  const serviceError = (name: string, fault: 'client' | 'server', status: number, extra = {}) =>
    Object.assign(new Error(`${name} happened`), {
      name,
      $fault: fault,
      $metadata: { httpStatusCode: status },
      ...extra,
    });

  it('marks throttling and 5xx as transient, other service errors not', () => {
    expect(toBackendError('ssm', serviceError('ThrottlingException', 'client', 400)).transient).toBe(true);
    expect(toBackendError('ssm', serviceError('InternalServerError', 'server', 500)).transient).toBe(true);
    expect(toBackendError('ssm', serviceError('AccessDeniedException', 'client', 400))).toMatchObject({
      code: 'AccessDeniedException',
      transient: false,
    });
  });

  it('reports connection failures as transient ConnectionError without the raw message', () => {
    const error = toBackendError(
      'secretsManager',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    );
    expect(error).toMatchObject({ code: 'ConnectionError', transient: true });
    expect(error.message).toBe('could not reach Secrets Manager (ECONNREFUSED)');
  });

  it('never passes through the message of an unreadable response, which may quote a value', () => {
    const error = toBackendError(
      'secretsManager',
      Object.assign(new SyntaxError('Unexpected token in JSON: {"SecretString":"hunter2'), {
        $metadata: { httpStatusCode: 200 },
        $responseBodyText: '{"SecretString":"hunter2',
      }),
    );
    expect(error.code).toBe('InvalidResponse');
    expect(error.message).not.toContain('hunter2');
  });

  it('hides unknown failures behind InternalFailure', () => {
    const error = toBackendError('ssm', new TypeError('something with a secret inside'));
    expect(error).toMatchObject({ code: 'InternalFailure', transient: false });
    expect(error.message).not.toContain('secret inside');
  });

  it("keeps the SDK's error as the cause, for whoever debugs, outside code and message", () => {
    const thrown = serviceError('AccessDeniedException', 'client', 400);
    expect(toBackendError('ssm', thrown).cause).toBe(thrown);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toBackendError('secretsManager', refused).cause).toBe(refused);
  });
});
