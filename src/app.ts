import { createRequire } from 'node:module';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import { Accounts } from './auth/accounts.js';
import { authPlugin } from './auth/plugin.js';
import type { Config } from './config.js';
import { deliverySettingsOf } from './config-webhooks.js';
import type { ControlParts } from './control/control-api.js';
import { errors } from './domain/errors.js';
import { stdoutInBlocks } from './log-destination.js';
import { mountUnder } from './mount-under.js';
import { createRecipientMailer } from './mail/mailer.js';
import { fanOutEvents } from './metrics/fan-out.js';
import { SecretsService, type ServiceEvents } from './domain/secrets-service.js';
import { errorsPlugin } from './plugins/errors.js';
import { notFoundBy, sendApiError } from './api/error-shape.js';
import { answerClientError } from './api/client-errors.js';
import { connectionsPlugin } from './plugins/connections.js';
import { trustedPeers } from './rate-limit/trusted-proxies.js';
import { CredentialBudget } from './rate-limit/credential-budget.js';
import { paramsPlugin } from './plugins/params.js';
import { RateLimit } from './rate-limit/plugin.js';
import { requestLogPlugin } from './plugins/request-log.js';
import { securityHeadersPlugin, setBaseSecurityHeaders } from './plugins/security-headers.js';
import { parseQueryString } from './plugins/urlencoded.js';
import apiV1 from './api/v1/index.js';
import apiV2 from './api/v2/index.js';
import apiV3 from './api/v3/index.js';
import apiIncoming from './api/incoming/index.js';
import { sharedV2Schemas } from './api/v2/schemas.js';
import { openApiPlugin } from './api/v1/openapi.js';
import healthRoutes from './routes/health.js';
import type { EvictionWatch } from './store/eviction-watch.js';
import { MemoryStore } from './store/memory-store.js';
import type { StoreCheck } from './store/store-check.js';
import type { Store } from './domain/store.js';
import { WebhookDeliverer } from './webhooks/deliverer.js';
import webPages, { sendNotFoundPage } from './web/index.js';
import { CATALOGUES } from './web/i18n/index.js';

/** This server's version, from package.json: what v2's and v3's /version answer. */
const SERVER_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const LOCALES = Object.keys(CATALOGUES);

/** Node's default limit on the request head (--max-http-header-size): no path parameter can be longer. */
const MAX_URL_LENGTH = 16_384;

export interface AppDeps {
  store: Store;
  /** A pino logger; by default one at config.logLevel writing JSON to stdout. */
  logger?: FastifyBaseLogger;
  /** Clock in milliseconds, for the service's timestamps. */
  now?: () => number;
  events?: ServiceEvents;
  /** Redis's eviction policy, watched: /ready and the metrics report it (server.ts and startServer pass it). */
  evictionWatch?: EvictionWatch;
  /**
   * The test double's control API (src/control): only startServer and the ots-server command pass it (server.ts
   * never does), and only over its own memory store.
   */
  control?: { memory: MemoryStore; plugin: FastifyPluginAsync<ControlParts> };
}

declare module 'fastify' {
  interface FastifyInstance {
    ots: { service: SecretsService; accounts: Accounts; store: Store; config: Config };
  }
}

/** Headers that carry credentials (Basic, proxy credentials, API keys, sessions). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'set-cookie'];

/**
 * Credentials are dropped from anything a plugin hands the logger, at every level: @fastify/multipart logs the
 * request headers at trace level.
 */
const REDACT = {
  paths: CREDENTIAL_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]),
  remove: true,
};

/**
 * The server's logger: JSON to stdout, or to `destination` (tests capture it). Stdout is written in blocks
 * (one write per request line cost CPU under load) that a lost log pipe never waits on: `log-destination.ts`.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): FastifyBaseLogger {
  return pino({ level: config.logLevel, redact: REDACT }, destination ?? stdoutInBlocks());
}

/**
 * The metrics and their plugin, loaded only when METRICS_PORT serves them: nothing else can read them, so without it
 * neither prom-client's memory nor each request's histogram update is paid for.
 */
async function loadMetrics() {
  const [{ Metrics }, { metricsPlugin }, { WebhookMetrics }] = await Promise.all([
    import('./metrics/metrics.js'),
    import('./metrics/plugin.js'),
    import('./metrics/webhook-metrics.js'),
  ]);
  const metrics = new Metrics();
  return { metrics, plugin: metricsPlugin, webhooks: new WebhookMetrics(metrics.registry) };
}

/** Builds the whole server: plugins in tiers (errors, logging, params, auth), then routes. Used by server and tests. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const logger = deps.logger ?? createLogger(config);
  const app = Fastify({
    loggerInstance: logger,
    // Fastify's own request lines carry the raw URL (a query string may hold a secret); request-log.ts logs instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Room for the largest secret percent-encoded plus the other fields; larger bodies are refused unread.
    bodyLimit: config.maxSecretBytes * 3 + 16_384,
    // Forwarded headers are believed only from the proxies TRUST_PROXY names; otherwise the socket peer is the client.
    trustProxy: config.trustProxy?.length ? config.trustProxy : false,
    // While shutting down, requests already on an open connection are still served (then the connection closes);
    // Fastify's own 503 would answer them outside the contract's error shape.
    return503OnClosing: false,
    // Slow and stalled clients are cut off (slowloris, bodies that never come); the server's own answer time does
    // not count. Node checks every second rather than every 30 s, so the limits hold to about a second.
    http: { headersTimeout: config.headersTimeout * 1000, connectionsCheckingInterval: 1000 },
    requestTimeout: config.requestTimeout * 1000,
    keepAliveTimeout: config.keepAliveTimeout * 1000,
    // Node's own answers on a connection (408, 431, unparseable bytes) in the contract's shape, not Fastify's.
    clientErrorHandler: answerClientError(config.apiErrorStatus),
    // A key of any length reaches its route, which answers it as unknown (`Unknown secret`, the not-found page):
    // the contract's rule for keys that are not 1–64 of [0-9a-z]. The URL itself is bounded by Node's header limit.
    routerOptions: { querystringParser: parseQueryString, maxParamLength: MAX_URL_LENGTH },
    // A URL that does not decode (`/api/v1/secret/%E0%A4%A`) is bad input in the contract's shape, not Fastify's
    // own JSON.
    // (Answered outside any route, so without the onSend hooks: the security headers are set here.)
    frameworkErrors: (_err, req, reply) => sendApiError(req, setBaseSecurityHeaders(reply), errors.badRequest(), config.apiErrorStatus),
    // Every route also answers under OTS_PUBLIC_URL's path, if it has one (mount-under.ts).
    ...mountUnder(config.publicUrl),
  });

  const accounts = new Accounts(deps.store.accounts);
  const masterKeys = [config.secret, ...(config.secretPrevious ?? [])];
  // What the service reports goes to the caller's listener, the metrics and (with SMTP_URL) the recipient mailer.
  const metrics = config.metricsPort === undefined ? undefined : await loadMetrics();
  const mailer = createRecipientMailer(config, logger);
  const events = fanOutEvents(deps.events, metrics?.metrics.serviceEvents, mailer?.serviceEvents);
  const service = new SecretsService(deps.store.secrets, config, masterKeys, logger, events, deps.now);
  app.decorate('ots', { service, accounts, store: deps.store, config });
  const rateLimit = new RateLimit({ config, counts: deps.store.rateCounts, now: deps.now });

  await app.register(errorsPlugin, {
    maxSecretBytes: config.maxSecretBytes,
    send: (req, reply, e) => sendApiError(req, reply, e, config.apiErrorStatus),
    notFound: notFoundBy(config.apiErrorStatus, sendNotFoundPage),
  });
  await app.register(connectionsPlugin, {
    maxPerClient: config.maxConnectionsPerClient,
    isTrustedPeer: trustedPeers(config.trustProxy),
  });
  await app.register(requestLogPlugin);
  const { evictionWatch } = deps;
  if (metrics && evictionWatch) metrics.metrics.reportEvictionPolicy(() => evictionWatch.policy);
  if (metrics) await app.register(metrics.plugin, { metrics: metrics.metrics, port: config.metricsPort, host: config.metricsHost });
  if (mailer) app.addHook('onClose', () => mailer.close());
  await app.register(securityHeadersPlugin);
  await app.register(rateLimit.plugin);
  await app.register(paramsPlugin, { maxSecretBytes: config.maxSecretBytes });
  const credentialBudget = new CredentialBudget(deps.store.rateCounts, config.rateLimitWindow * 1000, config.rateLimitAuthFailures);
  await app.register(authPlugin, { accounts, credentialBudget });
  if (deps.control) {
    // Never over Redis, whoever asks: a reset there would wipe a store that real secrets may share.
    if (!(deps.control.memory instanceof MemoryStore) || deps.store.kind !== 'memory') {
      throw new Error('the control API runs only on the in-memory store');
    }
    // After the body parsers and auth, before the route tables (its hook records their requests) and the OpenAPI
    // document (which so never lists it).
    await app.register(deps.control.plugin, { service, accounts, config, rateLimit });
  }
  await app.register(openApiPlugin); // before the API routes: it collects their schemas
  await app.register(apiV1, { prefix: '/api/v1', service, store: deps.store, publicUrl: config.publicUrl });
  for (const schema of sharedV2Schemas) app.addSchema(schema);
  const v2 = {
    service,
    store: deps.store,
    publicUrl: config.publicUrl,
    version: SERVER_VERSION,
    locales: LOCALES,
    versionRequiresAuth: config.versionRequiresAuth,
    ...(deps.now ? { now: deps.now } : {}),
  };
  await app.register(apiV2, { prefix: '/api/v2', ...v2 });
  await app.register(apiV3, { prefix: '/api/v3', ...v2 });
  await app.register(apiIncoming, { service, config, store: deps.store, events });
  // The Redis store reports whether creates find room (store/fullness.ts); the memory store has no such limit.
  const fullness = (deps.store as { fullness?: StoreCheck }).fullness;
  const checks = [evictionWatch, fullness].filter((c): c is StoreCheck => c !== undefined);
  await app.register(healthRoutes, { store: deps.store, checks });
  await app.register(webPages, { service, config, now: deps.now });
  // Only a listening server delivers (not inject()); stopping starts with the close, finishing before the store's.
  const webhookLog = logger.child({ component: 'webhooks' });
  const deliverer = new WebhookDeliverer({ webhooks: deps.store.webhooks, settings: deliverySettingsOf(config), log: webhookLog, metrics: metrics?.webhooks, now: deps.now });
  let stopping: Promise<void> | undefined;
  app.addHook('onListen', async () => deliverer.start());
  app.addHook('preClose', async () => {
    stopping = deliverer.stop();
  });
  app.addHook('onClose', async () => stopping ?? deliverer.stop());

  app.addHook('onReady', async () => {
    for (const { email, token } of config.accounts ?? []) {
      try {
        await accounts.create(email, token);
      } catch {
        app.log.warn({ account: email }, 'could not provision OTS_ACCOUNTS entry (store unavailable?)');
      }
    }
  });
  return app;
}
