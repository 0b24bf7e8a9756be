import { randomBytes } from 'node:crypto';
import { CHOSEN_TOKEN_RULE, isStrongToken } from './crypto/tokens.js';
import {
  accounts,
  baseUrl,
  bool,
  ConfigError,
  durationList,
  hostPorts,
  int,
  keyList,
  mailbox,
  oneOf,
  optional,
  parseMasterKey,
  processCount,
  proxyList,
  redisUrl,
  setting,
  smtpUrl,
  text,
  type HostPort,
  type Setting,
  type StaticAccount,
} from './config-parsers.js';
import { httpEdgeSettings } from './config-http.js';
import { incomingProblems, incomingSettings } from './config-incoming.js';
import { webhookProblems, webhookSettings } from './config-webhooks.js';

// One validated schema for every environment variable: name, default, meaning, parser (config-parsers.ts).
// The README's configuration table is written from this list, so the doc strings are user-facing.

export { ConfigError, parseMasterKey, type HostPort, type StaticAccount };

export const settings = {
  port: setting('PORT', '7143', 'TCP port to listen on (0 picks a free one).', int(0, 65535)),
  host: setting('HOST', '127.0.0.1', 'Address to listen on. Use 0.0.0.0 inside a container.', text),
  shutdownTimeout: setting(
    'SHUTDOWN_TIMEOUT',
    '10',
    'Seconds a SIGTERM or SIGINT waits for in-flight requests to finish before the server exits anyway (with code 1). Keep it below your orchestrator\'s kill grace period.',
    int(1, 3600),
  ),
  ...httpEdgeSettings,
  workers: setting(
    'WORKERS',
    '1',
    'Server processes sharing the port (node:cluster): a number, or `auto` for one per available core. One process per container is the container convention, hence 1; with more, counts and rate limits stay shared through Redis (the memory store cannot be shared: it needs 1), and `METRICS_PORT` serves the sum over all of them.',
    processCount,
  ),
  redisUrl: setting(
    'REDIS_URL',
    undefined,
    'Redis connection URL (`redis://` or `rediss://` for TLS), e.g. `redis://:password@redis:6379/0`. Unset (and no Cluster or Sentinel below): the embedded in-memory store (secrets die with the process).',
    optional(redisUrl),
  ),
  redisClusterNodes: setting(
    'REDIS_CLUSTER_NODES',
    undefined,
    'Redis Cluster seed nodes `host:port,host:port` (instead of `REDIS_URL`); the rest of the cluster is discovered from them.',
    optional(hostPorts),
  ),
  redisSentinels: setting(
    'REDIS_SENTINELS',
    undefined,
    'Redis Sentinel addresses `host:port,host:port` (instead of `REDIS_URL`); the server asks them for the current master of `REDIS_SENTINEL_NAME` and follows failovers.',
    optional(hostPorts),
  ),
  redisSentinelName: setting('REDIS_SENTINEL_NAME', 'mymaster', 'Name of the master group the sentinels monitor.', text),
  redisUsername: setting(
    'REDIS_USERNAME',
    undefined,
    'Redis ACL user for Cluster nodes or the Sentinel-managed master. With `REDIS_URL`, put credentials in the URL instead.',
    optional(text),
  ),
  redisPassword: setting(
    'REDIS_PASSWORD',
    undefined,
    'Redis password for Cluster nodes or the Sentinel-managed master. With `REDIS_URL`, put credentials in the URL instead.',
    optional(text),
  ),
  redisSentinelPassword: setting(
    'REDIS_SENTINEL_PASSWORD',
    undefined,
    'Password of the sentinels themselves, when they require one (`requirepass` in sentinel.conf).',
    optional(text),
  ),
  redisTls: setting(
    'REDIS_TLS',
    'false',
    'Use TLS to Cluster nodes, or to the sentinels and the master they name. With `REDIS_URL`, use `rediss://` instead. A private CA is trusted with `NODE_EXTRA_CA_CERTS=/path/ca.pem`.',
    bool,
  ),
  redisPrefix: setting('REDIS_PREFIX', 'ots:', 'Prefix of every Redis key this server writes.', text),
  redisAllowEviction: setting(
    'REDIS_ALLOW_EVICTION',
    'false',
    'Run on a Redis whose `maxmemory-policy` is not `noeviction` (any other policy can delete stored secrets, receipts and accounts when Redis is full). Without it such a Redis stops the start, and later makes `/ready` answer 503.',
    bool,
  ),
  secret: setting(
    'OTS_SECRET',
    undefined,
    'Master key for encryption at rest: at least 32 random bytes as hex or base64 (`openssl rand -hex 32`). Required with Redis; in memory mode a random one is made if absent.',
    optional(parseMasterKey),
  ),
  secretPrevious: setting(
    'OTS_SECRET_PREVIOUS',
    undefined,
    'Earlier master keys, comma-separated, used only to decrypt records sealed before a key rotation.',
    optional(keyList),
  ),
  publicUrl: setting(
    'OTS_PUBLIC_URL',
    undefined,
    'Public base URL of this server: an origin (e.g. `https://secrets.example.com`) or an origin with a path for hosting under a sub-path (e.g. `https://example.com/ots`). Every link, page and v1 `share_domain` uses it; with a path, every route also answers under that path (and still at the root, for a proxy that strips it). Default: `http://HOST:PORT`.',
    optional(baseUrl),
  ),
  metricsPort: setting(
    'METRICS_PORT',
    undefined,
    'Port of a separate listener serving Prometheus metrics at `/metrics` (0 picks a free one). Unset: no metrics listener. Keep it off the public network.',
    optional(int(0, 65535)),
  ),
  metricsHost: setting(
    'METRICS_HOST',
    '127.0.0.1',
    'Address the metrics listener binds to. Use 0.0.0.0 only where the scraper needs it (e.g. inside a container).',
    text,
  ),
  smtpUrl: setting(
    'SMTP_URL',
    undefined,
    'SMTP server for recipient email, e.g. `smtp://user:pass@mail.example.com:587` (`smtps://` for TLS on connect). Set: a secret an account shares with `recipient` is emailed to that address as a link. Unset: the recipient is only stored, obfuscated, and nothing is sent.',
    optional(smtpUrl),
  ),
  smtpFrom: setting(
    'SMTP_FROM',
    undefined,
    'Sender of recipient email, e.g. `Secrets <noreply@example.com>`. Required with `SMTP_URL`.',
    optional(mailbox),
  ),
  logLevel: setting(
    'LOG_LEVEL',
    'info',
    'pino log level: fatal, error, warn, info, debug, trace or silent.',
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  ),
  logFormat: setting(
    'LOG_FORMAT',
    undefined,
    '`json` (one JSON object per line) or `pretty` (readable lines, colored on a terminal). Unset: `pretty` when the log goes to a terminal, `json` otherwise (a pipe, a file, a container log).',
    optional(oneOf('json', 'pretty')),
  ),
  ttlDefault: setting('TTL_DEFAULT', '604800', 'Secret TTL in seconds when the request gives none (7 days).', int(1)),
  ttlMin: setting('TTL_MIN', '60', 'Smallest secret TTL in seconds; smaller requests are raised to it.', int(1)),
  ttlMaxAnonymous: setting(
    'TTL_MAX_ANONYMOUS',
    '604800',
    'Largest secret TTL in seconds for anonymous callers (7 days); larger requests are lowered to it.',
    int(1),
  ),
  ttlMax: setting('TTL_MAX', '2592000', 'Largest secret TTL in seconds for accounts (30 days).', int(1)),
  maxSecretBytes: setting('MAX_SECRET_BYTES', '10000', 'Largest secret in UTF-8 bytes.', int(1, 10_000_000)),
  passphraseMinLength: setting(
    'PASSPHRASE_MIN_LENGTH',
    '0',
    'Shortest passphrase accepted when one is given (0: no minimum).',
    int(0, 128),
  ),
  passphraseMaxAttempts: setting(
    'PASSPHRASE_MAX_ATTEMPTS',
    '5',
    'Wrong passphrases allowed per secret within the guessing window; after that the secret refuses attempts until the window ends.',
    int(1, 1000),
  ),
  passphraseWindow: setting(
    'PASSPHRASE_WINDOW',
    '600',
    'Length of the per-secret passphrase guessing window in seconds.',
    int(1),
  ),
  recentLimit: setting('RECENT_LIMIT', '100', 'Most receipts returned by `/private/recent`.', int(1, 10_000)),
  allowAnonymous: setting(
    'ALLOW_ANONYMOUS',
    'true',
    'Let callers without an account create secrets (share, generate). Reveals are always anonymous.',
    bool,
  ),
  receiptsOwnerOnly: setting(
    'RECEIPTS_OWNER_ONLY',
    'false',
    "`false` (upstream's rule): whoever holds a receipt's key may view and burn it. `true`: receipts of an account's secrets need that account's credentials.",
    bool,
  ),
  versionRequiresAuth: setting(
    'VERSION_REQUIRES_AUTH',
    'false',
    '`true`: `/api/v2/version` and `/api/v3/version` need credentials, as upstream since v0.26.6. `false`: public (clients call it anonymously).',
    bool,
  ),
  accounts: setting(
    'OTS_ACCOUNTS',
    undefined,
    'Static accounts `email:token,email:token`, created or updated at startup (the only accounts in memory mode). With Redis a token must be 32 to 256 printable ASCII characters without spaces, chosen at random; in memory mode (a test double) any without spaces.',
    optional(accounts),
  ),
  apiErrorStatus: setting(
    'API_ERROR_STATUS',
    'compat',
    '`compat`: every API error is HTTP 404 as upstream, with the real status in `X-OTS-Intended-Status`. `intended`: send the real status.',
    oneOf('compat', 'intended'),
  ),
  webTtlChoices: setting(
    'WEB_TTL_CHOICES',
    '5m,1h,1d,3d,7d,30d',
    'Expiry choices offered by the web form, comma-separated durations (`300`, `5m`, `1h`, `7d`); each must lie within `TTL_MIN` and `TTL_MAX`. Anonymous visitors see only those up to `TTL_MAX_ANONYMOUS`. The default list is fitted into the TTL limits; `TTL_DEFAULT` is preselected when listed.',
    durationList,
  ),
  trustProxy: setting(
    'TRUST_PROXY',
    undefined,
    'Addresses or CIDR ranges of the reverse proxies in front of this server, comma-separated (e.g. `10.0.0.0/8,::1`; `loopback` names 127.0.0.0/8 and ::1). Only requests from these peers have their `X-Forwarded-For` believed; unset, the client is always the socket peer, so a client cannot forge its address to dodge rate limits. Ranges wider than /8 (IPv4) or /16 (IPv6) are refused; a forwarded value that is not an address counts as the proxy itself.',
    optional(proxyList),
  ),
  rateLimitWindow: setting(
    'RATE_LIMIT_WINDOW',
    '60',
    'Length in seconds of the window the `RATE_LIMIT_*` budgets apply to. Counters live in Redis (shared by every instance) or in memory without Redis.',
    int(1, 86_400),
  ),
  rateLimitCreate: setting(
    'RATE_LIMIT_CREATE',
    '60',
    'Requests per window and client to create secrets (`/share`, `/create`, `/generate`, the web form). A client is an IPv4 address or an IPv6 /64. 0 turns this limit off.',
    int(0),
  ),
  rateLimitReveal: setting(
    'RATE_LIMIT_REVEAL',
    '120',
    'Requests per window and client to reveal secrets (`/secret/:key`, API and web page), found or not: it bounds key guessing. 0 turns this limit off.',
    int(0),
  ),
  rateLimitReceipt: setting(
    'RATE_LIMIT_RECEIPT',
    '120',
    'Requests per window and client to view receipts (`/private/:key` and aliases, API and web page; `/private/recent`; `/authcheck`). 0 turns this limit off.',
    int(0),
  ),
  rateLimitBurn: setting(
    'RATE_LIMIT_BURN',
    '60',
    'Requests per window and client to burn secrets (`/private/:key/burn` and aliases). 0 turns this limit off.',
    int(0),
  ),
  rateLimitAuthFailures: setting(
    'RATE_LIMIT_AUTH_FAILURES',
    '20',
    'Failed credential checks (wrong or unknown Basic credentials, on any route, `/status` included) per window for one client, and for one username whatever the client. Past it, requests with credentials from that client or for that username are refused (429) until the window ends, without checking them. 0 turns this limit off.',
    int(0),
  ),
  rateLimitUnrouted: setting(
    'RATE_LIMIT_UNROUTED',
    '60',
    'Requests per window and client to paths that do not exist (keys live in URLs, so probing paths is enumeration). 0 turns this limit off.',
    int(0),
  ),
  ...incomingSettings,
  ...webhookSettings,
} as const;

type Settings = typeof settings;
type ValueOf<S> = S extends Setting<infer T> ? T : never;
export type Config = { [K in keyof Settings]: ValueOf<Settings[K]> } & {
  publicUrl: string;
  secret: Buffer;
  /** True when no OTS_SECRET was given in memory mode and a random one was made for this process. */
  secretGenerated: boolean;
};

export interface LoadOptions {
  /**
   * False for tools that never seal or open secrets (the admin CLI: token hashes do not use the master key),
   * so they can run with REDIS_URL but without OTS_SECRET. A given OTS_SECRET is still validated.
   */
  requireSecret?: boolean;
}

function redisSettingsGiven(c: Partial<Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels'>>): string[] {
  const given: [unknown, string][] = [
    [c.redisUrl, 'REDIS_URL'],
    [c.redisClusterNodes, 'REDIS_CLUSTER_NODES'],
    [c.redisSentinels, 'REDIS_SENTINELS'],
  ];
  return given.filter(([value]) => value !== undefined).map(([, env]) => env);
}

/** True when a Redis topology is configured (single server, Cluster or Sentinel); false means the memory store. */
export function usesRedis(c: Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels'>): boolean {
  return redisSettingsGiven(c).length > 0;
}

/** Reads and validates every setting; throws ConfigError listing all problems at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.env] ?? s.default;
    try {
      out[key] = raw === undefined ? undefined : s.parse(raw, s.env);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const c = out as Partial<Config> & Record<string, unknown>;
  if (problems.length === 0) {
    if (c.ttlMin! > c.ttlMaxAnonymous! || c.ttlMin! > c.ttlMax!) problems.push('TTL_MIN must not exceed TTL_MAX_ANONYMOUS or TTL_MAX');
    const outside = c.webTtlChoices!.filter((s) => s < c.ttlMin! || s > c.ttlMax!);
    if (outside.length > 0 && env.WEB_TTL_CHOICES !== undefined) {
      problems.push(`WEB_TTL_CHOICES must lie within TTL_MIN and TTL_MAX (${c.ttlMin}–${c.ttlMax} seconds), got ${outside.join(', ')}`);
    }
    if (c.headersTimeout! > c.requestTimeout!) problems.push('HEADERS_TIMEOUT must not exceed REQUEST_TIMEOUT');
    problems.push(...incomingProblems(c), ...webhookProblems(c));
    if (c.smtpUrl && !c.smtpFrom) problems.push('SMTP_FROM is required when SMTP_URL is set (e.g. "Secrets <noreply@example.com>")');
    const topologies = redisSettingsGiven(c);
    if (topologies.length > 1) problems.push(`Set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS, got ${topologies.join(' and ')}`);
    if (topologies.length === 0 && c.workers! > 1) {
      problems.push(`WORKERS=${c.workers} needs Redis: the memory store lives in one process (set REDIS_URL, or WORKERS=1)`);
    }
    // A token's SHA-256 in a Redis dump must resist offline guessing; an in-memory test server leaves no dump.
    if (topologies.length > 0 && c.accounts?.some((a) => !isStrongToken(a.token))) {
      problems.push(`With ${topologies[0]} set, OTS_ACCOUNTS entries must be email:token, the token ${CHOSEN_TOKEN_RULE}`);
    }
    if (topologies.length > 0 && !c.secret && options.requireSecret !== false) {
      problems.push(`OTS_SECRET is required when ${topologies[0]} is set (generate one with: openssl rand -hex 32)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  // The default list (explicit ones were checked above) is fitted into the TTL limits.
  out.webTtlChoices = [...new Set(c.webTtlChoices!.map((s) => Math.min(Math.max(s, c.ttlMin!), c.ttlMax!)))];
  c.secretGenerated = !c.secret;
  if (!c.secret) c.secret = randomBytes(32);
  if (!c.publicUrl) c.publicUrl = `http://${c.host!.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
  return c as Config;
}
