import type { FastifyInstance } from 'fastify';
import { storeStatus } from '../api/status.js';
import type { Store } from '../domain/store.js';
import type { StoreCheck } from '../store/store-check.js';

/**
 * Probes for orchestrators, outside the OTS API: /health says the process serves HTTP (liveness: restart me if
 * not), /ready says the store answers too (readiness: send me traffic). A Redis outage fails only /ready, so an
 * orchestrator stops routing to the instance without restarting it; it recovers by itself when Redis returns.
 * The store's checks (its eviction policy, …) add their fields to /ready's body, and any one of them can fail it.
 */
export default async function healthRoutes(app: FastifyInstance, opts: { store: Store; checks?: StoreCheck[] }) {
  app.get('/health', { config: { rateClass: false, auth: 'none' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    return { status: 'ok' };
  });
  app.get('/ready', { config: { rateClass: false, auth: 'none' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const store = opts.store.kind;
    if (!(await storeStatus(opts.store))) return reply.code(503).send({ status: 'unavailable', store });
    const reports = (opts.checks ?? []).map((check) => check.report());
    const fields = Object.assign({}, ...reports.map((r) => r.fields)) as Record<string, string>;
    const reason = reports.find((r) => r.unready)?.unready;
    if (reason) return reply.code(503).send({ status: 'unavailable', store, reason, ...fields });
    return { status: 'ready', store, ...fields };
  });
}
