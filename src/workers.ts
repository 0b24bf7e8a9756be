// WORKERS > 1: this process is the primary of a node:cluster. It forks the workers (each runs the whole server on
// the shared port; node:cluster hands out the connections), replaces a worker that dies on its own, forwards
// SIGTERM and SIGINT so every worker shuts down gracefully, and serves METRICS_PORT summed over the workers.
import cluster, { type Worker } from 'node:cluster';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';

/** The workers still running. */
const running = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

function signalAll(signal: NodeJS.Signals): void {
  for (const worker of running()) worker.process.kill(signal);
}

/** Whether this process should run the workers rather than serve itself. */
export function isWorkersPrimary(config: Pick<Config, 'workers'>): boolean {
  return config.workers > 1 && cluster.isPrimary;
}

export async function runWorkersPrimary(
  config: Pick<Config, 'workers' | 'shutdownTimeout' | 'metricsPort' | 'metricsHost'>,
  log: FastifyBaseLogger,
): Promise<void> {
  let stopping = false;
  let failed = false;
  const listening = new WeakSet<Worker>();

  const finish = () => {
    log.info({ failed }, 'all workers stopped');
    process.exit(failed ? 1 : 0);
  };
  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failed = true;
      if (running().length === 0) finish();
      return;
    }
    // One that never listened (a bad port, a store that fails at start) would fail again: stop, do not loop.
    if (!listening.has(worker)) {
      log.error({ pid: worker.process.pid, code, signal }, 'a worker exited before it listened; stopping');
      stopping = true;
      failed = true;
      signalAll('SIGTERM');
      if (running().length === 0) finish();
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
    cluster.fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown; ending the workers now');
      signalAll('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, workers: running().length }, 'shutting down the workers');
    signalAll(signal);
    // Each worker ends itself within SHUTDOWN_TIMEOUT; one that does not is ended a moment later.
    setTimeout(() => {
      log.error('workers still running after SHUTDOWN_TIMEOUT; ending them');
      signalAll('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeout * 1000 + 1000).unref();
  };
  process.on('SIGTERM', stop);
  // Ctrl-C reaches every process of the terminal's group, the workers included: forwarding it too would be each
  // worker's second signal, which ends it at once. Only the primary's own count of it matters here.
  process.on('SIGINT', () => {
    if (stopping) return stop('SIGINT');
    stopping = true;
    log.info('SIGINT: the workers shut down on their own');
  });

  if (config.metricsPort !== undefined) {
    // Loaded only here: a primary without METRICS_PORT needs neither prom-client nor the listener.
    const [{ AggregatorRegistry }, { startMetricsListener }] = await Promise.all([import('prom-client'), import('./metrics/listener.js')]);
    const summed = new AggregatorRegistry();
    const source = { contentType: summed.contentType, metrics: () => summed.clusterMetrics() };
    const listener = await startMetricsListener(source, config.metricsHost, config.metricsPort);
    log.info({ address: listener.server.address() }, 'metrics listener started (the sum over the workers)');
  }
  log.info({ workers: config.workers }, 'starting workers');
  for (let i = 0; i < config.workers; i++) cluster.fork();
}
