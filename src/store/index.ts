import type { Config } from '../config.js';
import { MemoryStore } from './memory-store.js';
import { createRedisClient } from './redis-client.js';
import { RedisStore } from './redis-store.js';
import type { Store } from './types.js';

/** Redis when REDIS_URL is set, else the embedded memory store. Connects, but does not fail when Redis is down. */
export async function createStore(config: Pick<Config, 'redisUrl' | 'redisPrefix'>): Promise<Store> {
  if (!config.redisUrl) return new MemoryStore();
  const redis = createRedisClient(config.redisUrl);
  await redis.connect().catch(() => {
    // Not fatal: requests answer 503 and /status says offline until Redis is back; ioredis keeps retrying.
  });
  return new RedisStore(redis, config.redisPrefix);
}

export type { Store } from './types.js';
