import Fastify, { type FastifyInstance } from 'fastify';
/** What the listener serves: one registry, or the primary's sum over its workers. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * The metrics endpoint on its own port, apart from the API: an operator exposes it only to the scraper, and
 * nothing on the public listener reveals traffic figures. Serves GET /metrics and nothing else.
 */
export async function startMetricsListener(registry: MetricsSource, host: string, port: number): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_req, reply) => {
    reply.header('Content-Type', registry.contentType).header('Cache-Control', 'no-store');
    return registry.metrics();
  });
  await server.listen({ host, port });
  return server;
}
