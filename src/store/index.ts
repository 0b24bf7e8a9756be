import type { Config } from '../config.js';
import type { BaseLogger } from 'pino';
import { EvictionWatch } from './eviction-watch.js';
import { MemoryStore } from './memory-store.js';
import { createRedisClient, type RedisAuth, type RedisTarget } from './redis-client.js';
import { RedisStore } from './redis-store.js';
import type { Store } from '../domain/store.js';
import type { JournalSettings } from '../domain/webhook-queue.js';

export type RedisSettings = Pick<
  Config,
  | 'redisUrl'
  | 'redisClusterNodes'
  | 'redisSentinels'
  | 'redisSentinelName'
  | 'redisUsername'
  | 'redisPassword'
  | 'redisSentinelPassword'
  | 'redisTls'
>;

/** The configured Redis topology, or undefined for the embedded memory store. */
export function redisTargetOf(c: RedisSettings): RedisTarget | undefined {
  if (c.redisClusterNodes) return { kind: 'cluster', nodes: c.redisClusterNodes };
  if (c.redisSentinels) return { kind: 'sentinel', sentinels: c.redisSentinels, name: c.redisSentinelName };
  if (c.redisUrl) return { kind: 'single', url: c.redisUrl };
  return undefined;
}

export function redisAuthOf(c: RedisSettings): RedisAuth {
  return { username: c.redisUsername, password: c.redisPassword, sentinelPassword: c.redisSentinelPassword, tls: c.redisTls };
}

/** Where the store lives, for the startup log line: never a password. */
export function describeStore(c: RedisSettings): string {
  const target = redisTargetOf(c);
  if (!target) return 'memory';
  const list = (nodes: { host: string; port: number }[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (target.kind === 'cluster') return `redis cluster ${list(target.nodes)}`;
  if (target.kind === 'sentinel') return `redis sentinel ${target.name} via ${list(target.sentinels)}`;
  const url = new URL(target.url);
  return `redis ${url.protocol}//${url.host}${url.pathname}`;
}

/** How long startup waits for a first connection before going on (requests answer 503 until Redis is there). */
const CONNECT_WAIT_MS = 3_000;

/**
 * Redis (single server, Cluster or Sentinel) when configured, else the embedded memory store. Connects, but does
 * not fail when Redis is down: requests answer 503 and /ready says so until it is back; ioredis keeps retrying.
 */
export async function createStore(config: RedisSettings & Pick<Config, 'redisPrefix'>, journal?: JournalSettings): Promise<Store> {
  const target = redisTargetOf(config);
  if (!target) return new MemoryStore(Date.now, journal);
  const redis = createRedisClient(target, redisAuthOf(config));
  // Bounded: with every Sentinel unreachable, connect() neither resolves nor rejects while ioredis keeps retrying.
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS)));
  await Promise.race([redis.connect().catch(() => {}), gaveUp]);
  clearTimeout(timer);
  return new RedisStore(redis, config.redisPrefix, { journal });
}

/** For a Redis store, its eviction policy, read now (when connected) and after every reconnect; none in memory. */
export async function watchEvictionPolicy(
  store: Store,
  config: Pick<Config, 'redisAllowEviction'>,
  log: Pick<BaseLogger, 'info' | 'warn' | 'error'>,
): Promise<EvictionWatch | undefined> {
  if (!(store instanceof RedisStore)) return undefined;
  const watch = new EvictionWatch(store.redis, config.redisAllowEviction, log);
  await watch.start();
  return watch;
}

export type { Store } from '../domain/store.js';
