// Boot only: read config, build the app, listen, shut down gracefully on signals.
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp, createLogger } from './app.js';
import { ConfigError, loadConfig, usesRedis, type Config } from './config.js';
import { journalSettingsOf } from './config-webhooks.js';
import { BlockLogDestination } from './log-destination.js';
import { chosenLogFormat, logDestination } from './log-format.js';
import { handleServerArgs } from './server-args.js';
import { createStore, watchEvictionPolicy } from './store/index.js';
import { reportStore } from './store-report.js';
import { isWorkersPrimary, runWorkersPrimary } from './workers.js';
import type { Store } from './domain/store.js';

/**
 * On SIGTERM or SIGINT: stop accepting connections, let requests in flight finish (Fastify closes idle keep-alive
 * connections and answers the rest with `Connection: close`), then close Redis and exit 0. If requests are still
 * running after `timeoutMs`, or a second signal comes, exit 1 at once.
 */
function exitGracefullyOnSignals(app: FastifyInstance, store: Store, timeoutMs: number): void {
  let closing = false;
  // A request that was in flight when the signal came would leave its connection open for keep-alive after
  // the response, and close() would wait for it: tell the client the connection ends with this response.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('Connection', 'close');
    done(null, payload);
  });
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal during shutdown; exiting now');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal, timeoutMs }, 'shutting down: refusing new connections, finishing requests in flight');
    const force = setTimeout(() => {
      app.log.error({ timeoutMs }, 'requests still in flight after SHUTDOWN_TIMEOUT; exiting');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    try {
      await app.close();
      await store.close();
      app.log.info('shutdown complete: requests finished, store closed');
      process.exit(0);
    } catch (err) {
      app.log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}

let logTo: DestinationStream | undefined;
let listenOn = '';

async function main(): Promise<void> {
  handleServerArgs(process.argv.slice(2));
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`ots-server: configuration error\n${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  logTo = await logDestination(chosenLogFormat(config.logFormat, process.stdout));
  const logger = createLogger(config, logTo);
  listenOn = `${config.host}:${config.port}`;
  if (isWorkersPrimary(config)) return runWorkersPrimary(config, logger);
  if (!usesRedis(config)) {
    logger.warn('no Redis configured (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): using the embedded in-memory store; secrets die with the process');
    if (config.secretGenerated) logger.warn('OTS_SECRET is not set: using a random master key for this process');
  }
  const store = await createStore(config, journalSettingsOf(config));
  // Checked before listening; when Redis is not there yet, its first connection is checked instead (see /ready).
  const evictionWatch = await watchEvictionPolicy(store, config, logger);
  const refusal = evictionWatch?.refusal();
  if (refusal) {
    await store.close();
    process.stderr.write(`ots-server: refusing to start on an evicting Redis\n${refusal}\n`);
    process.exit(78); // EX_CONFIG: the fix is Redis's configuration, or REDIS_ALLOW_EVICTION
  }
  const app = await buildApp(config, { store, logger, evictionWatch });
  exitGracefullyOnSignals(app, store, config.shutdownTimeout * 1000);

  await app.listen({ port: config.port, host: config.host });
  await reportStore(store, config, app.log);
}

/** Why the server did not start, in one line; a port in use names the setting to change. */
function startError(err: NodeJS.ErrnoException): string {
  if (err.code === 'EADDRINUSE') return `${listenOn} is already in use (another server running? choose another PORT)`;
  return err.message;
}

main().catch(async (err: NodeJS.ErrnoException) => {
  // The warnings logged before the failure are printed first, as they happened.
  const blocks = logTo instanceof BlockLogDestination ? logTo : undefined;
  if (blocks) await new Promise((resolve) => blocks.flush(resolve));
  process.stderr.write(`ots-server: failed to start: ${startError(err)}\n`);
  process.exit(1);
});
