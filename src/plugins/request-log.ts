import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { shortKey } from '../domain/keys.js';
import { unredactedChild } from '../perf/unredacted-child-logger.js';

/**
 * One log line per request with what an operator needs and nothing secret: method, route pattern (never the
 * raw URL, whose query string may hold a secret), status, duration and at most 6 characters of a key.
 */
export const requestLogPlugin = fp(async (app: FastifyInstance) => {
  // These lines hold only the fields below, none of which can carry a credential.
  const lines = unredactedChild(app.log);
  app.addHook('onResponse', (req, reply, done) => {
    const key = (req.params as Record<string, unknown> | undefined)?.key;
    lines.info(
      {
        reqId: req.id,
        method: req.method,
        route: req.routeOptions.url ?? '(unrouted)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(typeof key === 'string' ? { key: shortKey(key) } : {}),
      },
      'request',
    );
    done();
  });
});
