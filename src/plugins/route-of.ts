import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

type RouteOf = FastifyRequest['routeOptions'];

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's route options, read once (see routeOf). */
    otsRoute: RouteOf | null;
  }
}

/**
 * The route a request matched. Fastify builds a new `routeOptions` object on every read, and the rate limit, the
 * metrics and the request log each need it: read once a request.
 */
export function routeOf(req: FastifyRequest): RouteOf {
  const known = req.otsRoute;
  // reply.callNotFound() moves a request to the not-found route after it was first read
  if (known && (known.url === undefined || !req.is404)) return known;
  return (req.otsRoute = req.routeOptions);
}

/** Declares the request's slot for routeOf up front, so every request object has the same shape. */
export const routeOfPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('otsRoute', null);
});
