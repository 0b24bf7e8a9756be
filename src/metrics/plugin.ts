import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { startMetricsListener } from './listener.js';
import type { Metrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where the metrics listener answers (`http://host:port/metrics`), or undefined when METRICS_PORT is unset. */
    metricsUrl: string | undefined;
  }
}

export interface MetricsPluginOptions {
  metrics: Metrics;
  /** METRICS_PORT; undefined leaves the listener off (the counts are still kept, cheaply). */
  port: number | undefined;
  host: string;
}

const urlOf = (address: AddressInfo) =>
  `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`;

/**
 * Times every request into the histogram under its route pattern (never its URL: keys live in URLs), counts
 * rate-limited refusals, and runs the metrics listener for the app's lifetime (started when the app is ready,
 * closed with it, so graceful shutdown needs nothing more).
 */
export const metricsPlugin = fp(async (app: FastifyInstance, opts: MetricsPluginOptions) => {
  app.decorate('metricsUrl', undefined);
  app.addHook('onResponse', (req, reply, done) => {
    // In compat mode a rate-limited API request answers 404; the header carries the real status.
    const limited = reply.statusCode === 429 || reply.getHeader('x-ots-intended-status') === '429';
    const route = req.routeOptions.url ?? '(unrouted)';
    opts.metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000, limited);
    done();
  });

  if (opts.port === undefined) return;
  // A worker of WORKERS > 1: the primary serves the metrics, summed over the workers (src/workers.ts).
  if (cluster.isWorker) {
    // Constructing one installs prom-client's answer to the primary's requests; it answers for this registry.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([opts.metrics.registry]);
    return;
  }
  const { port, host } = opts;
  let listener: FastifyInstance | undefined;
  app.addHook('onReady', async () => {
    listener = await startMetricsListener(opts.metrics.registry, host, port);
    app.metricsUrl = urlOf(listener.server.address() as AddressInfo);
    app.log.info({ url: app.metricsUrl }, 'metrics listener started');
  });
  app.addHook('onClose', async () => {
    await listener?.close();
  });
});
