import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors, OtsError } from '../domain/errors.js';
import { StoreFullError, StoreUnavailableError } from '../domain/store.js';

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

/** Sends an error in the shape of the request's wire version: each route table's own, chosen by the app. */
export type SendError = (req: FastifyRequest, reply: FastifyReply, e: OtsError) => FastifyReply;

export interface ErrorsOptions {
  maxSecretBytes: number;
  send: SendError;
  /** Answers unrouted paths (the web's HTML page outside /api, each version's error inside). */
  notFound: (req: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/** Every failure answered in the contract's error shape (through `send`), never with details of a bug. */
export const errorsPlugin = fp(async (app: FastifyInstance, opts: ErrorsOptions) => {
  app.setErrorHandler((err, req, reply) => {
    const ots = toOtsError(err, opts.maxSecretBytes);
    logFailure(req, err, ots);
    return opts.send(req, reply, ots);
  });
  app.setNotFoundHandler(opts.notFound);
});
