import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

// The security headers every response carries (API, pages, errors, unrouted paths). Pages add theirs on top:
// `setPageSecurityHeaders` in web/headers.ts. Hand-written rather than @fastify/helmet, whose defaults are page
// headers (CSP, COOP, …) that a JSON answer does not need on every request, and which pages need stricter anyway.

/**
 * `Cache-Control: no-store` (a revealed secret or a receipt must not stay in a browser or proxy cache) unless the
 * route chose its own caching, and `nosniff` (a JSON body echoing input is never run as something else).
 */
export function setBaseSecurityHeaders(reply: FastifyReply): FastifyReply {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  return reply.header('x-content-type-options', 'nosniff');
}

/** The headers on every response, errors and unrouted paths included. */
export const securityHeadersPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onSend', (_req, reply, payload, done) => {
    setBaseSecurityHeaders(reply);
    done(null, payload);
  });
});
