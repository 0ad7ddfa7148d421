/**
 * The direct path: in-process mode's way for the client module (`parameters-secrets`) to read the cache
 * without HTTP. It is the pipeline's own answerer (http/pipeline.ts) called with the method GET, the
 * request target and the token header the client would send, so every decision (route, token, query
 * rules, cache, errors) is the one HTTP gets; only the bytes of a request and a response are skipped.
 *
 * Published on globalThis under a registry symbol, so a client bundled anywhere finds it without
 * importing anything from the extension; `version` lets a client fall back to HTTP on a shape it does
 * not know.
 */
import { TOKEN_HEADER } from '../http/auth.js';
import type { Answerer } from '../http/pipeline.js';
import { ANSWERS, type Answer } from '../http/respond.js';

export const DIRECT_PATH_KEY = Symbol.for('parameters-secrets-extension.in-process');

export interface DirectAnswer {
  readonly status: number;
  readonly body: string;
}

export interface InProcessExtension {
  /** Always 1; a client checks it and falls back to HTTP on anything else. */
  readonly version: 1;
  /**
   * Answers one GET exactly as the HTTP API would: `target` is the request target
   * ('/systemsmanager/parameters/get?name=%2Fa&withDecryption=true'), `token` what the client would
   * send as X-Aws-Parameters-Secrets-Token (undefined: none). Never rejects.
   */
  get(target: string, token: string | undefined): Promise<DirectAnswer>;
}

const NO_HEADERS = Object.freeze({});

const reply = (answer: Answer): DirectAnswer => ({
  status: answer.status,
  body: answer.body.toString('utf8'),
});
const internalFailure = (): DirectAnswer => reply(ANSWERS.internalFailure);

export function directPath(answer: Answerer): InProcessExtension {
  return Object.freeze({
    version: 1 as const,
    get(target: string, token: string | undefined): Promise<DirectAnswer> {
      try {
        const headers = token === undefined ? NO_HEADERS : { [TOKEN_HEADER]: token };
        const answered = answer('GET', target, headers);
        return answered instanceof Promise
          ? answered.then(reply, internalFailure)
          : Promise.resolve(reply(answered));
      } catch {
        // A target that is not a string, or a pipeline bug: a failure answer, as HTTP would give.
        return Promise.resolve(internalFailure());
      }
    },
  });
}

/** Publishes `extension` for the client module of this thread; `withdraw` takes it back. */
export function publish(extension: InProcessExtension): { withdraw(): void } {
  Object.defineProperty(globalThis, DIRECT_PATH_KEY, {
    value: extension,
    configurable: true,
    enumerable: false,
    writable: false,
  });
  return {
    withdraw: () => {
      if ((globalThis as Record<symbol, unknown>)[DIRECT_PATH_KEY] === extension) {
        delete (globalThis as Record<symbol, unknown>)[DIRECT_PATH_KEY];
      }
    },
  };
}

export const isPublished = (): boolean => DIRECT_PATH_KEY in globalThis;
