import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { errors, OtsError } from '../domain/errors.js';
import { StoreUnavailableError } from '../store/types.js';

export type ErrorStatusMode = 'compat' | 'intended';

/** Maps anything thrown to one of the contract's errors; never leaks details of an unexpected one. */
export function toOtsError(err: unknown, maxSecretBytes: number): OtsError {
  if (err instanceof OtsError) return err;
  if (err instanceof StoreUnavailableError) return errors.storeUnavailable();
  const status = (err as FastifyError | undefined)?.statusCode;
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

/** The contract's error shape for every failure and for unrouted paths. */
export const errorsPlugin = fp(async (app: FastifyInstance, opts: { mode: ErrorStatusMode; maxSecretBytes: number }) => {
  app.setErrorHandler((err, req, reply) => {
    const ots = toOtsError(err, opts.maxSecretBytes);
    if (ots.intendedStatus === 500) {
      // Our own bug: the stack is ours; request data is never logged.
      const e = err as Error;
      req.log.error({ err: { type: e.name, message: e.message, stack: e.stack } }, 'unexpected error');
    } else if (ots.intendedStatus === 503) {
      req.log.warn('store unavailable');
    }
    return sendError(reply, ots, opts.mode);
  });
  app.setNotFoundHandler((_req, reply) => sendError(reply, errors.notFound(), opts.mode));
});
