// Why Redis does not answer, in the operator's words: refused credentials, TLS, DNS, refused or silent port.
// The store's own client retries for ever and fails its commands with a generic error, so the cause is asked of
// a one-shot connection of its own, made only once the store has not answered.
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import { redisAuthOf, redisTargetOf, type RedisSettings } from './store/index.js';

const PROBE_TIMEOUT_MS = 2_000;

/** The operator's settings that hold the credentials, by topology. */
function credentialSettings(c: Pick<Config, 'redisUrl'>): string {
  return c.redisUrl ? 'the user and password in REDIS_URL, as redis://user:password@host:port' : 'REDIS_USERNAME and REDIS_PASSWORD';
}

/** One sentence for a connection error of ioredis or Node's net and tls modules. Never holds a credential. */
export function explainRedisError(err: Error & { code?: string }, c: Pick<Config, 'redisUrl'>): string {
  const code = err.code ?? '';
  const message = err.message;
  if (/^NOAUTH\b/.test(message)) return `Redis refused the credentials (NOAUTH: it needs a password); set ${credentialSettings(c)}`;
  if (/^WRONGPASS\b|invalid password|invalid username-password/i.test(message)) {
    return `Redis refused the credentials (WRONGPASS); check ${credentialSettings(c)}`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS cannot resolve the Redis host (${code})`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/.test(code) || /certificate|SSL routines/i.test(message)) {
    return `the TLS connection to Redis failed (${code || message}); a private CA is trusted with NODE_EXTRA_CA_CERTS=/path/ca.pem`;
  }
  if (code === 'ECONNREFUSED') return 'nothing accepts connections at that address and port (ECONNREFUSED)';
  if (code === 'ETIMEDOUT') {
    return `no answer within ${PROBE_TIMEOUT_MS / 1000} s (ETIMEDOUT: a firewall, a wrong address, or rediss:// to a Redis without TLS)`;
  }
  if (code === 'ECONNRESET') return 'Redis closed the connection (ECONNRESET: redis:// to a Redis that needs TLS? use rediss://)';
  return `${code || err.name}: ${message}`;
}

/** Connection options of the probe: the store's address and credentials, one try, no queue. */
function probeOptions(c: RedisSettings): { url?: string; options: RedisOptions } {
  const once: RedisOptions = { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: PROBE_TIMEOUT_MS };
  const target = redisTargetOf(c);
  if (!target || target.kind === 'single') return { url: target?.url, options: once };
  const auth = redisAuthOf(c);
  const tls = auth.tls ? { tls: {} } : {};
  // A Sentinel setup is asked at its first sentinel (with the sentinels' password); a Cluster at its first seed.
  if (target.kind === 'sentinel') return { options: { ...once, ...target.sentinels[0], password: auth.sentinelPassword, ...tls } };
  return { options: { ...once, ...target.nodes[0], username: auth.username, password: auth.password, ...tls } };
}

/** Why the configured Redis does not answer a PING, or undefined when a fresh connection gets its PONG. */
export async function whyRedisFails(c: RedisSettings): Promise<string | undefined> {
  const { url, options } = probeOptions(c);
  const probe = url ? new Redis(url, options) : new Redis(options);
  let first: Error | undefined;
  // The connection's own error comes as an event; connect() and ping() then fail with "Connection is closed".
  probe.on('error', (err: Error) => (first ??= err));
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (err) {
    return explainRedisError(first ?? (err as Error), c);
  } finally {
    probe.disconnect();
  }
}
