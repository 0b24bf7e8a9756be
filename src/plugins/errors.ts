import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors, OtsError } from '../domain/errors.js';
import { StoreUnavailableError } from '../store/types.js';

export type ErrorStatusMode = 'compat' | 'intended';

const MULTIPART_SHAPE_ERRORS = new Set(['FST_FILES_LIMIT', 'FST_FIELDS_LIMIT', 'FST_PARTS_LIMIT']);

/** Maps anything thrown to one of the contract's errors; never leaks details of an unexpected one. */
export function toOtsError(err: unknown, maxSecretBytes: number): OtsError {
  if (err instanceof OtsError) return err;
  if (err instanceof StoreUnavailableError) return errors.storeUnavailable();
  const status = (err as FastifyError | undefined)?.statusCode;
  // Multipart's 413s for a file part or too many fields/parts are malformed input, not an oversized secret.
  if (MULTIPART_SHAPE_ERRORS.has((err as FastifyError | undefined)?.code ?? '')) return errors.badRequest();
  if (status === 401) return errors.notAuthorized();
  if (status === 413) return errors.secretTooLarge(maxSecretBytes);
  if (status === 415) return errors.unsupportedMediaType();
  if (status === 429) return errors.rateLimited(60);
  if (status !== undefined && status >= 400 && status < 500) return errors.badRequest();
  return errors.unexpected();
}

export function sendError(reply: FastifyReply, e: OtsError, mode: ErrorStatusMode): FastifyReply {
  return reply
    .code(mode === 'intended' ? e.intendedStatus : 404)
    .header('X-OTS-Intended-Status', String(e.intendedStatus))
    .headers(e.headers)
    .send({ message: e.message, ...e.extra });
}

/** Logs what an operator must see of a failure: our own bugs with their stack, an unreachable store as a warning. */
export function logFailure(req: FastifyRequest, err: unknown, ots: OtsError): void {
  if (ots.intendedStatus === 500) {
    // Our own bug: the stack is ours; request data is never logged.
    const e = err as Error;
    req.log.error({ err: { type: e.name, message: e.message, stack: e.stack } }, 'unexpected error');
  } else if (ots.intendedStatus === 503) {
    req.log.warn('store unavailable');
  }
}

export interface ErrorsOptions {
  mode: ErrorStatusMode;
  maxSecretBytes: number;
  /** Answers unrouted paths outside /api (the web's HTML page); without it every unrouted path gets the JSON error. */
  pageNotFound?: (req: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

const isApiPath = (url: string) => url === '/api' || /^\/api[/?]/.test(url);

/** The contract's error shape for every failure and for unrouted API paths. */
export const errorsPlugin = fp(async (app: FastifyInstance, opts: ErrorsOptions) => {
  app.setErrorHandler((err, req, reply) => {
    const ots = toOtsError(err, opts.maxSecretBytes);
    logFailure(req, err, ots);
    return sendError(reply, ots, opts.mode);
  });
  app.setNotFoundHandler((req, reply) =>
    opts.pageNotFound && !isApiPath(req.url) ? opts.pageNotFound(req, reply) : sendError(reply, errors.notFound(), opts.mode),
  );
});
