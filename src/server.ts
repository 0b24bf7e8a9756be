// Boot only: read config, build the app, listen, shut down gracefully on signals.
import { buildApp, createLogger } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createStore } from './store/index.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`ots-server: configuration error\n${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config);
  if (!config.redisUrl) {
    logger.warn('REDIS_URL is not set: using the embedded in-memory store; secrets die with the process');
    if (config.secretGenerated) logger.warn('OTS_SECRET is not set: using a random master key for this process');
  }
  const store = await createStore(config);
  const app = await buildApp(config, { store, logger });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      await app.close(); // stops accepting, waits for in-flight requests
      await store.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((err) => {
  process.stderr.write(`ots-server: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
