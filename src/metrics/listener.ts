import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/**
 * The metrics endpoint on its own port, apart from the API: an operator exposes it only to the scraper, and
 * nothing on the public listener reveals traffic figures. Serves GET /metrics and nothing else.
 */
export async function startMetricsListener(registry: Registry, host: string, port: number): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', registry.contentType).header('Cache-Control', 'no-store');
    return registry.metrics();
  });
  await server.listen({ host, port });
  return server;
}
