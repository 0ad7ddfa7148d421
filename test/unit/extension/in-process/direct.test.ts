import { afterEach, describe, expect, it } from 'vitest';
import type { Answerer } from '../../../../extension/src/http/pipeline.js';
import { ANSWERS, valueAnswer } from '../../../../extension/src/http/respond.js';
import {
  DIRECT_PATH_KEY,
  directPath,
  isPublished,
  publish,
} from '../../../../extension/src/in-process/direct.js';

const VALUE = valueAnswer('{"Parameter":{"Name":"/a","Value":"v"}}');

/** An answerer that records what it was asked. */
function recording(answer: ReturnType<Answerer> | (() => never)) {
  const asked: Array<Parameters<Answerer>> = [];
  const answerer: Answerer = (...request) => {
    asked.push(request);
    return typeof answer === 'function' ? answer() : answer;
  };
  return { answerer, asked };
}

describe('directPath', () => {
  it('asks the pipeline a GET of the target with the token as the token header, and gives status and body', async () => {
    const { answerer, asked } = recording(VALUE);
    const direct = directPath(answerer);
    expect(direct.version).toBe(1);
    expect(await direct.get('/systemsmanager/parameters/get?name=%2Fa', 'tok')).toEqual({
      status: 200,
      body: '{"Parameter":{"Name":"/a","Value":"v"}}',
    });
    expect(asked).toEqual([
      ['GET', '/systemsmanager/parameters/get?name=%2Fa', { 'x-aws-parameters-secrets-token': 'tok' }],
    ]);
  });

  it('sends no token header without a token', async () => {
    const { answerer, asked } = recording(ANSWERS.badToken);
    expect(await directPath(answerer).get('/secretsmanager/get?secretId=s', undefined)).toEqual({
      status: 401,
      body: 'bad session token or header key',
    });
    expect(asked[0]?.[2]).toEqual({});
  });

  it('waits for an answer that waits on the backend', async () => {
    const { answerer } = recording(Promise.resolve(ANSWERS.notFound));
    expect((await directPath(answerer).get('/x', 'tok')).status).toBe(404);
  });

  it('never rejects: a pipeline that throws or rejects gives the 500 HTTP would give', async () => {
    const internal = { status: 500, body: ANSWERS.internalFailure.body.toString('utf8') };
    const throwing = recording(() => {
      throw new TypeError('target.indexOf is not a function');
    });
    expect(await directPath(throwing.answerer).get(42 as unknown as string, 'tok')).toEqual(internal);
    const rejecting = recording(Promise.reject(new Error('boom')));
    expect(await directPath(rejecting.answerer).get('/x', 'tok')).toEqual(internal);
  });

  it('is frozen: a caller cannot swap its get', () => {
    const direct = directPath(recording(VALUE).answerer);
    expect(Object.isFrozen(direct)).toBe(true);
  });
});

describe('publish', () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[DIRECT_PATH_KEY];
  });

  it("sets the contract's global under Symbol.for('parameters-secrets-extension.in-process'), not enumerable", () => {
    const direct = directPath(recording(VALUE).answerer);
    expect(isPublished()).toBe(false);
    publish(direct);
    expect(isPublished()).toBe(true);
    expect(
      (globalThis as Record<symbol, unknown>)[Symbol.for('parameters-secrets-extension.in-process')],
    ).toBe(direct);
    expect(Object.getOwnPropertySymbols(globalThis).includes(DIRECT_PATH_KEY)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(globalThis, DIRECT_PATH_KEY)?.enumerable).toBe(false);
  });

  it('withdraws only its own object', () => {
    const first = publish(directPath(recording(VALUE).answerer));
    first.withdraw();
    expect(isPublished()).toBe(false);
    const stale = publish(directPath(recording(VALUE).answerer));
    stale.withdraw();
    const current = directPath(recording(VALUE).answerer);
    publish(current);
    stale.withdraw();
    expect((globalThis as Record<symbol, unknown>)[DIRECT_PATH_KEY]).toBe(current);
  });
});
