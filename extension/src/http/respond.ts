/**
 * The one writer of every answer the extension sends: status, headers and body, 200s and errors alike
 * (the pipeline's, and the listener's 503s). Answers are prepared once (fixed ones per process, success
 * ones per cache entry) and written with a flat header list, so a cached hit allocates nothing.
 *
 * Content types are the wire contract: values as text/plain (AWS's, no charset; clients read the body),
 * the 401 as text/plain, every error as application/json with charset=utf-8 (what the extension sent
 * when its error answers came from fastify, kept byte for byte).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BAD_PATH,
  BAD_TOKEN_BODY,
  type ErrorText,
  FORWARDED,
  INTERNAL_FAILURE,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  NOT_READY,
  PING_BODY,
  SHUTTING_DOWN,
} from '../messages.js';
import { goJson } from '../wire/go-json.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export const TEXT_CONTENT_TYPE = 'text/plain';
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface Answer {
  readonly status: number;
  /** Flat [name, value, …] list for res.writeHead, Content-Type and Content-Length included. */
  readonly headers: readonly string[];
  readonly body: Buffer;
  /** Close the connection after this answer. */
  readonly closes: boolean;
}

function answer(status: number, contentType: string, body: string, extra: readonly string[] = []): Answer {
  const bytes = Buffer.from(body, 'utf8');
  return {
    status,
    headers: [...extra, 'Content-Type', contentType, 'Content-Length', String(bytes.length)],
    body: bytes,
    closes: extra.includes('Connection'),
  };
}

/** The answer for a value: its JSON body, exactly as AWS's extension sends it. */
export function valueAnswer(json: string): Answer {
  return answer(200, TEXT_CONTENT_TYPE, json);
}

/** A JSON document of ours (GET /metrics). */
export function jsonAnswer(json: string): Answer {
  return answer(200, JSON_CONTENT_TYPE, json);
}

/** `{"__type":<code>,"message":<text>}` with Go's escaping (AWS's JSON error shape). */
export function errorAnswer(status: number, text: ErrorText, extra: readonly string[] = []): Answer {
  return answer(status, ERROR_CONTENT_TYPE, goJson({ __type: text.code, message: text.message }), extra);
}

/** The answers that never change. */
export const ANSWERS = {
  ping: answer(200, TEXT_CONTENT_TYPE, PING_BODY),
  badToken: answer(401, TEXT_CONTENT_TYPE, BAD_TOKEN_BODY),
  forwarded: errorAnswer(400, FORWARDED),
  badPath: errorAnswer(400, BAD_PATH),
  notFound: errorAnswer(404, NOT_FOUND),
  methodNotAllowed: errorAnswer(405, METHOD_NOT_ALLOWED, ['Allow', 'GET, HEAD']),
  internalFailure: errorAnswer(500, INTERNAL_FAILURE),
  notReady: errorAnswer(503, NOT_READY, ['Connection', 'close']),
  shuttingDown: errorAnswer(503, SHUTTING_DOWN, ['Connection', 'close']),
} as const;

/** A body we never read (no route takes one): closing after the answer bounds what a client can send. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** Writes `answer` to `res`: HEAD gets the headers alone (with the GET body's length), as HTTP asks. */
export function send(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers =
    !answer.closes && hasBody(req) ? [...answer.headers, 'Connection', 'close'] : answer.headers;
  res.writeHead(answer.status, headers as string[]);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}
