// What a protocol (Cog, Replicate v1, OpenAI, Cohere, TEI) is to the rest of the
// server: the requests it claims, its router, and how it renders an error.
// Each room exports one Protocol; app.ts lists them. What answers before or
// after the routers (API keys, the origin policy, body and server errors, 404)
// asks the protocol that claims the request, and imports none of them.
import type { Request, Response, Router } from 'express';
import { CLIENT_ERROR_KINDS, type ClientErrorKind } from '../api/errors.ts';
import type { ErrorShape } from './auth/guard.ts';
import type { ServerContext } from './context.ts';
import type { ValidationDetail } from './types.ts';

/** Every error a protocol renders: the Predictor's client errors, then the server's own. */
export type ErrorKind =
  | ClientErrorKind
  /** The request has no inputs at all (TEI's "Empty"). */
  | 'empty_input'
  /** The tokenizer refused the request (TEI's /decode of an id outside the vocabulary). */
  | 'tokenizer'
  /** The model has no such head (TEI's /rerank and /predict). */
  | 'unsupported'
  /** No API key, or an unknown one. */
  | 'unauthenticated'
  /** A cross-origin write from a page whose origin is not allowed. */
  | 'forbidden'
  /** No such route, or no such prediction. */
  | 'not_found'
  | 'method_not_allowed'
  /** The body is over the body limit. */
  | 'body_too_large'
  | 'malformed_json'
  /** The JSON nests deeper than the server parses. */
  | 'body_too_deep'
  /** A Content-Encoding or charset the server does not read. */
  | 'unsupported_encoding'
  /** Another 4xx from body parsing or routing; its status travels with it. */
  | 'bad_request'
  /** Every slot is running a prediction (Cog refuses rather than queues). */
  | 'busy'
  /** Setup has not finished: the model is still loading. */
  | 'not_ready'
  /** Every slot is busy and the waiting queue is full. */
  | 'overloaded'
  /** Shutting down, setup failed, or the model is defunct. */
  | 'unavailable'
  /** The request was canceled before it finished. */
  | 'canceled'
  /** The server or the model failed: its log has the details. */
  | 'internal';

export const ERROR_KINDS: readonly ErrorKind[] = [
  ...CLIENT_ERROR_KINDS,
  'empty_input',
  'tokenizer',
  'unsupported',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'body_too_large',
  'malformed_json',
  'body_too_deep',
  'unsupported_encoding',
  'bad_request',
  'busy',
  'not_ready',
  'overloaded',
  'unavailable',
  'canceled',
  'internal',
];

/** A protocol's table: what it answers for each kind of error. */
export type ErrorTable<T extends { status: number }> = Record<ErrorKind, T>;

export interface ProtocolError {
  kind: ErrorKind;
  message: string;
  /** Field-level faults, FastAPI-style (Cog's 422 detail list, Replicate's invalid_fields). */
  issues?: ValidationDetail[];
  /** The 4xx the error carried (kind 'bad_request' only). */
  status?: number;
}

/** What a request is claimed by: its method and its path as the client sent it. */
export type RequestLine = Pick<Request, 'method' | 'originalUrl'>;

export interface Protocol {
  readonly name: 'cog' | 'replicate' | 'openai' | 'cohere' | 'tei';
  /** True for the requests this protocol answers; the first protocol in app.ts's list that claims one renders its errors. */
  claims(req: RequestLine): boolean;
  /** Express paths of its routes that do work, guarded by API keys before any body is read; `post` guards POST only. */
  readonly keyRoutes: readonly { paths: readonly string[]; post?: boolean }[];
  /** Where its router is mounted. */
  readonly mountPath: string;
  routes(ctx: ServerContext): Router;
  /** The status its table gives each kind of error. */
  readonly errors: ErrorTable<{ status: number }>;
  sendError(res: Response, error: ProtocolError): void;
}

/** The path of a request as the client sent it, without the query. */
export function requestPath(req: RequestLine): string {
  return req.originalUrl.split('?')[0];
}

/** The protocol that claims `req`; the last one in the list is the fallback. */
export function protocolFor(protocols: readonly Protocol[], req: RequestLine): Protocol {
  return protocols.find((p) => p.claims(req)) ?? protocols[protocols.length - 1];
}

/** The status of `error` in a table: its own for a 'bad_request', the table's otherwise. */
export function statusIn(table: ErrorTable<{ status: number }>, error: ProtocolError): number {
  return error.kind === 'bad_request' && error.status !== undefined ? error.status : table[error.kind].status;
}

/** The writer auth's guards send their 401 with, in `p`'s shape. */
export function keyRefusal(p: Pick<Protocol, 'sendError'>): ErrorShape {
  return (res, _status, message) => p.sendError(res, { kind: 'unauthenticated', message });
}
