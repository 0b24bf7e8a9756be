// Each API version's error shape, picked by the request's path: what the app hands the errors plugin (and Fastify's
// own answers for URLs that reach no route).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, type OtsError } from '../domain/errors.js';
import { wireOf } from '../plugins/wire.js';
import { sendV1Error, type ErrorStatusMode } from './v1/errors.js';
import { sendV2Error } from './v2/errors.js';

/** Sends an API error in the shape of the request's wire version (v3 shares v2's). */
export function sendApiError(req: FastifyRequest, reply: FastifyReply, e: OtsError, mode: ErrorStatusMode): FastifyReply {
  return wireOf(req.url) === 'v2' ? sendV2Error(reply, e) : sendV1Error(reply, e, mode);
}

/** Unrouted paths: inside /api each version's NotFound, elsewhere the web's page. */
export function notFoundBy(mode: ErrorStatusMode, page: (req: FastifyRequest, reply: FastifyReply) => FastifyReply) {
  return (req: FastifyRequest, reply: FastifyReply) =>
    wireOf(req.url) === 'web' ? page(req, reply) : sendApiError(req, reply, errors.notFound(), mode);
}
