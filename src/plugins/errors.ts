import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { intendedStatus, sendV1Error, type ErrorStatusMode } from '../api/v1/errors.js';
import { sendV2Error } from '../api/v2/errors.js';
import { errors, OtsError } from '../domain/errors.js';
import { StoreFullError, StoreUnavailableError } from '../domain/store.js';

export type { ErrorStatusMode };

const MULTIPART_SHAPE_ERRORS = new Set(['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT']);

/** Maps anything thrown to one of the domain's errors; never leaks details of an unexpected one. */
export function toOtsError(err: unknown, maxSecretBytes: number): OtsError {
  if (err instanceof OtsError) return err;
  if (err instanceof StoreUnavailableError) return errors.storeUnavailable();
  const status = (err as FastifyError | undefined)?.statusCode;
  // Multipart's 413s for a file part or too many fields/parts are malformed input, not an oversized secret.
  if (MULTIPART_SHAPE_ERRORS.has((err as FastifyError | undefined)?.code ?? '')) return errors.badRequest();
  if (status === 401) return errors.notAuthorized();
  if (status === 413) return errors.secretTooLarge(maxSecretBytes);
  if (status === 415) return errors.unsupportedMediaType();
  if (status !== undefined && status >= 400 && status < 500) return errors.badRequest();
  return errors.unexpected();
}

/** Which wire version a request speaks, from its path: each answers errors in its own shape. */
export type Wire = 'v1' | 'v2' | 'web';

export function wireOf(url: string): Wire {
  if (/^\/api\/v[23](?:[/?]|$)/.test(url)) return 'v2';
  return url === '/api' || /^\/api[/?]/.test(url) ? 'v1' : 'web';
}

/** Sends an API error in the shape of the request's wire version (v3 shares v2's). */
export function sendApiError(req: FastifyRequest, reply: FastifyReply, e: OtsError, mode: ErrorStatusMode): FastifyReply {
  return wireOf(req.url) === 'v2' ? sendV2Error(reply, e) : sendV1Error(reply, e, mode);
}

/** At most one line a minute says the store is full: under load every create would otherwise log it. */
const FULL_LOG_INTERVAL_MS = 60_000;
let fullLoggedAt = -Infinity;

/** Logs what an operator must see of a failure: our own bugs with their stack, an unreachable store as a warning. */
export function logFailure(req: FastifyRequest, err: unknown, ots: OtsError): void {
  if (ots.code === 'unexpected') {
    // Our own bug: the stack is ours; request data is never logged.
    const e = err as Error;
    req.log.error({ err: { type: e.name, message: e.message, stack: e.stack } }, 'unexpected error');
  } else if (err instanceof StoreFullError) {
    const now = Date.now();
    if (now - fullLoggedAt < FULL_LOG_INTERVAL_MS) return;
    fullLoggedAt = now;
    req.log.error('store full: Redis is at maxmemory (noeviction); creates are refused until memory is freed or raised');
  } else if (ots.code === 'store_unavailable') {
    req.log.warn('store unavailable');
  }
}

export { intendedStatus };

export interface ErrorsOptions {
  mode: ErrorStatusMode;
  maxSecretBytes: number;
  /** Answers unrouted paths outside /api (the web's HTML page); without it every unrouted path gets the JSON error. */
  pageNotFound?: (req: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/** The contract's error shape for every failure and for unrouted API paths, per wire version. */
export const errorsPlugin = fp(async (app: FastifyInstance, opts: ErrorsOptions) => {
  const answer = (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const ots = toOtsError(err, opts.maxSecretBytes);
    logFailure(req, err, ots);
    return sendApiError(req, reply, ots, opts.mode);
  };
  app.setErrorHandler((err, req, reply) => answer(err, req, reply));
  app.setNotFoundHandler((req, reply) =>
    opts.pageNotFound && wireOf(req.url) === 'web'
      ? opts.pageNotFound(req, reply)
      : sendApiError(req, reply, errors.notFound(), opts.mode),
  );
});
