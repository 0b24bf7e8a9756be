// Library entry: start the real server in-process, e.g. as a test double in another project's integration tests.
// It goes through the same loadConfig, createStore and buildApp as `npm start`; only the defaults differ
// (a free port, no logs) and nothing is read from process.env unless the caller passes it in `env`.
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, createLogger } from './app.js';
import { ConfigError, loadConfig, settings, usesRedis, type Config, type StaticAccount } from './config.js';
import { journalSettingsOf } from './config-webhooks.js';
import { TestDouble, type OtsControl } from './control/test-double.js';
import { chosenLogFormat, logDestination } from './log-format.js';
import { createStore, watchEvictionPolicy } from './store/index.js';
import { reportStore } from './store-report.js';
import type { Store } from './domain/store.js';

export { ConfigError };
export type { StaticAccount };
export type { ClockChange, FaultState, Fixture, FixtureRequest, OtsControl, RecordedRequest } from './control/control-api.js';

type SettingKey = keyof typeof settings;
type Plain = string | number | boolean | undefined;
/** The settings that are a single string, number or boolean, by their camelCase name (TTL_MAX → ttlMax). */
type PlainSettingKey = { [K in SettingKey]: Config[K] extends Plain ? K : never }[SettingKey];

/**
 * Every plain setting of the configuration table by its camelCase name (`ttlMax` for `TTL_MAX`, `allowAnonymous`
 * for `ALLOW_ANONYMOUS`, …), plus `accounts`, `secret` and a raw `env`. Each value is validated exactly as the
 * environment variable would be, so a bad value rejects with a ConfigError.
 */
export type StartServerOptions = { [K in PlainSettingKey]?: Exclude<Config[K], undefined> } & {
  /** Accounts that exist from the start; a token is printable ASCII without spaces (32 to 256 characters with Redis). */
  accounts?: StaticAccount[];
  /** Master key, 32+ random bytes as hex or base64. Required with `redisUrl`; in memory a random one is made. */
  secret?: string;
  /**
   * Raw settings by environment variable name (pass `process.env` to honour the caller's environment).
   * The other options win over it. Defaults that differ from `npm start`: PORT 0 and LOG_LEVEL silent.
   */
  env?: Record<string, string | undefined>;
  /** The test double's control API (`/__ots/` and the returned `control`): memory store only. */
  control?: boolean;
};

export interface RunningServer {
  /** Base URL the server listens on, without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Stops accepting connections, waits for requests in flight and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

/** What startServer({ control: true }) resolves to: the server and its control API (docs/use-in-your-tests.md). */
export interface TestDoubleServer extends RunningServer {
  control: OtsControl;
}

const PORT_ATTEMPTS = 5;

/** Starts ots-server on the embedded memory store (or `redisUrl`) and resolves once it accepts connections. */
export function startServer(options: StartServerOptions & { control: true }): Promise<TestDoubleServer>;
export function startServer(options?: StartServerOptions): Promise<RunningServer>;
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const { control = false, ...settingOptions } = options;
  const env = toEnv(settingOptions);
  const config = loadConfig(env);
  if (control && usesRedis(config)) throw new ConfigError('startServer: the control API runs only on the in-memory store (no Redis)');
  // With port 0 the default public URL (the `share_domain` of a reveal) would say ":0", so when the caller gave no
  // public URL we pick the free port ourselves and build the config with it; the rare lost race is retried.
  const pickPort = config.port === 0 && !env[settings.publicUrl.env];
  for (let attempt = 1; ; attempt++) {
    const attemptConfig = pickPort ? loadConfig({ ...env, [settings.port.env]: String(await freePort(config.host)) }) : config;
    try {
      return await listen(attemptConfig, control ? new TestDouble(journalSettingsOf(attemptConfig)) : undefined);
    } catch (err) {
      if (!(pickPort && attempt < PORT_ATTEMPTS && (err as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw err;
    }
  }
}

/** Builds the environment loadConfig reads: library defaults, then `env`, then the typed options. */
function toEnv(options: StartServerOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    [settings.port.env]: '0',
    [settings.logLevel.env]: 'silent',
    ...options.env,
  };
  for (const [key, value] of Object.entries(options)) {
    if (key === 'env' || value === undefined) continue;
    if (key === 'accounts') {
      env[settings.accounts.env] = accountsEnv(value as StaticAccount[]);
    } else if (Object.hasOwn(settings, key) && ['string', 'number', 'boolean'].includes(typeof value)) {
      env[settings[key as SettingKey].env] = String(value);
    } else {
      throw new ConfigError(`startServer: unknown or invalid option "${key}"`);
    }
  }
  return env;
}

function accountsEnv(accounts: StaticAccount[]): string {
  return accounts
    .map(({ email, token }) => {
      // The env form separates entries with commas, so one inside a value would silently split it.
      if (`${email}${token}`.includes(',')) throw new ConfigError('startServer: an account email or token contains a comma');
      return `${email}:${token}`;
    })
    .join(',');
}

async function listen(config: Config, double?: TestDouble): Promise<RunningServer> {
  const store = double ? double.store : await createStore(config, journalSettingsOf(config));
  // Logs go to stderr: a test runner's stdout (and the CLI's first stdout line) belong to the caller. The server's
  // own logger settings (credential redaction) apply.
  const logger = createLogger(config, await logDestination(chosenLogFormat(config.logFormat, process.stderr), 2));
  let app: FastifyInstance | undefined;
  try {
    // As server.ts: an evicting Redis without REDIS_ALLOW_EVICTION is refused.
    const evictionWatch = await watchEvictionPolicy(store, config, logger);
    const refusal = evictionWatch?.refusal();
    if (refusal) throw new ConfigError(refusal);
    const controlled = double && { now: double.clock.now, control: double };
    app = await buildApp(config, { store, logger, evictionWatch, ...controlled });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await closeAll(app, store);
    throw err;
  }
  // As `npm start` does: an unreachable Redis is a warning (with its cause) on stderr, not silent 503s.
  await reportStore(store, config, app.log);
  const { port } = app.server.address() as { port: number };
  let closing: Promise<void> | undefined;
  const started = app;
  return {
    url: `http://${urlHost(config.host)}:${port}`,
    port,
    close: () => (closing ??= closeAll(started, store)),
    ...(double && { control: double.api }),
  };
}

async function closeAll(app: FastifyInstance | undefined, store: Store): Promise<void> {
  try {
    await app?.close();
  } finally {
    await store.close();
  }
}

/** A host a client can connect to: wildcard addresses become loopback, IPv6 literals get brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
