import { Redis, type RedisOptions } from 'ioredis';
import * as scripts from './redis-scripts.js';

export interface OtsRedisCommands {
  /** The Buffer variant ioredis defines for every custom command: the record is binary. */
  otsClaimBuffer(secret: string, attempts: string): Promise<[Buffer, number, number] | null>;
  otsRestore(secret: string, record: Buffer, pttl: number): Promise<number>;
  otsClaimIfUnchanged(secret: string, attempts: string, record: Buffer): Promise<number>;
  otsFailedAttempt(attempts: string, windowSeconds: number): Promise<[number, number]>;
  otsPutReceipt(receipt: string, ttl: number, ...fieldsAndValues: string[]): Promise<number>;
  otsTransition(receipt: string, to: string, at: number, ...from: string[]): Promise<number>;
  otsAddRecent(recent: string, score: number, member: string, keep: number, ttl: number): Promise<number>;
}

export type OtsRedis = Redis & OtsRedisCommands;

/** Fail fast while Redis is away: no offline queue, one retry, a bounded command time. */
export const failFastOptions: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 1_000),
};

/** Registers the Lua scripts once per client; ioredis sends EVALSHA and falls back to EVAL. */
export function defineOtsCommands(redis: Redis): OtsRedis {
  redis.defineCommand('otsClaim', { numberOfKeys: 2, lua: scripts.CLAIM });
  redis.defineCommand('otsRestore', { numberOfKeys: 1, lua: scripts.RESTORE });
  redis.defineCommand('otsClaimIfUnchanged', { numberOfKeys: 2, lua: scripts.CLAIM_IF_UNCHANGED });
  redis.defineCommand('otsFailedAttempt', { numberOfKeys: 1, lua: scripts.FAILED_ATTEMPT });
  redis.defineCommand('otsPutReceipt', { numberOfKeys: 1, lua: scripts.PUT_RECEIPT });
  redis.defineCommand('otsTransition', { numberOfKeys: 1, lua: scripts.TRANSITION });
  redis.defineCommand('otsAddRecent', { numberOfKeys: 1, lua: scripts.ADD_RECENT });
  return redis as OtsRedis;
}

export function createRedisClient(url: string): OtsRedis {
  const redis = new Redis(url, failFastOptions);
  // Connection errors surface per request as 503s; without a listener ioredis would print them raw.
  redis.on('error', () => {});
  return defineOtsCommands(redis);
}
