import type { FastifyInstance } from 'fastify';
import { storeStatus } from '../api/status.js';
import type { Store } from '../domain/store.js';

/**
 * Probes for orchestrators, outside the OTS API: /health says the process serves HTTP (liveness: restart me if
 * not), /ready says the store answers too (readiness: send me traffic). A Redis outage fails only /ready, so an
 * orchestrator stops routing to the instance without restarting it; it recovers by itself when Redis returns.
 */
export default async function healthRoutes(app: FastifyInstance, opts: { store: Store }) {
  app.get('/health', { config: { rateClass: false, auth: 'none' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    return { status: 'ok' };
  });
  app.get('/ready', { config: { rateClass: false, auth: 'none' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (await storeStatus(opts.store)) return { status: 'ready', store: opts.store.kind };
    return reply.code(503).send({ status: 'unavailable', store: opts.store.kind });
  });
}
