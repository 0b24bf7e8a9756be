import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { HostPort } from '../config.js';
import { coalesceWrites } from '../perf/coalesce-redis-writes.js';
import * as journal from './redis-journal.js';
import * as scripts from './redis-scripts.js';

export interface OtsRedisCommands {
  /** Called with its number of keys first (the recent list is optional), then the keys and arguments. */
  otsCreate(numberOfKeys: number, ...keysAndArgs: (string | number | Buffer)[]): Promise<number>;
  /** The Buffer variant ioredis defines for every custom command (`otsClaim` is defined below): the record is binary. */
  /** Called with its number of keys first (2, or 5 with the journal's), then keys and arguments. */
  otsClaimBuffer(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<ClaimReply | null>;
  /** The ms the secret had left when this caller won, 0 when another did (3 keys, or 6 with the journal's). */
  otsClaimIfUnchanged(numberOfKeys: number, ...keysAndArgs: (string | number | Buffer)[]): Promise<number>;
  otsRestore(secret: string, receipt: string, record: Buffer, pttl: number, to: string, at: number, stateBefore: string, updatedBefore: number | string): Promise<number>;
  otsSettle(receipt: string, to: string, at: number, ...from: string[]): Promise<number>;
  otsFailedAttempt(attempts: string, windowSeconds: number): Promise<[number, number]>;
  otsAddRecent(recent: string, score: number, member: string, keep: number, ttl: number): Promise<number>;
  otsSetReceiptField(receipt: string, field: string, value: string): Promise<number>;
  /** The Buffer variant (`otsInspect` is defined below): the record's head is binary. */
  otsInspectBuffer(secret: string, attempts: string, receiptPrefix: string, headEnd: number): Promise<[Buffer, number, Buffer[], number, number] | null>;
  otsViewReceipt(receipt: string, secretPrefix: string, secretSuffix: string, viewer: string): Promise<[string[], number, number] | null>;
  otsRateTake(counter: string, windowMs: number, units: number, limit: number): Promise<[number, number, number]>;
  otsLockoutHit(attempts: string, locked: string, cap: number, windowMs: number, lockoutMs: number): Promise<[number, number]>;
  otsJournalAppend(stream: string, targets: string, expiring: string, wanted: string, type: string, custid: string, atMs: number | string, metadataKey: string, ...facts: string[]): Promise<number>;
  otsSweepExpired(expiring: string, stream: string, targets: string, nowMs: number, limit: number, wanted: string, receiptPrefix: string, secretPrefix: string, secretSuffix: string): Promise<number>;
  /** [custid, facts] when the secret expired unread, ['alive', ms left] when it is still there, null otherwise. */
  otsExpiredFacts(receipt: string, receiptPrefix: string, metadataKey: string, secretPrefix: string, secretSuffix: string): Promise<[string, string[] | number] | null>;
  otsWebhookAck(stream: string, group: string, id: string): Promise<number>;
  otsWebhookDeadLetter(stream: string, dead: string, group: string, id: string, letter: string): Promise<number>;
  otsWebhookReplay(dead: string, stream: string, max: number): Promise<number>;
}

/** The claim script's answer: record, failed attempts, ms (claimed) or s (protected) left, the receipt's fields. */
export type ClaimReply = [Buffer, number, number, Buffer[]];

/** A single-server, Sentinel-managed or Cluster client: the store uses only commands all three share. */
export type OtsRedis = (Redis | Cluster) & OtsRedisCommands;

/** Where Redis is: one server by URL, a Cluster by its seed nodes, or the master a set of Sentinels names. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string };

/** Credentials and TLS for Cluster nodes and Sentinel setups (a single server takes them in its URL). */
export interface RedisAuth {
  username?: string | undefined;
  password?: string | undefined;
  sentinelPassword?: string | undefined;
  tls?: boolean | undefined;
}

/** Reconnect quickly after Redis comes back: 100 ms, 200 ms, … at most a second between tries. */
const reconnectDelay = (times: number) => Math.min(times * 100, 1_000);

/** How long a request waits for Redis (and the Sentinel look-ups) before it answers 503. */
export const READ_TIMEOUT_MS = 1_000;

/**
 * Fail fast while Redis is away: no offline queue, so requests answer 503 at once instead of piling up. Commands have
 * no timeout of their own: the store bounds each wait itself (redis-store.ts), since giving up on a claim must not
 * leave a secret destroyed. A command cut off by a lost connection fails and is never replayed after a reconnect:
 * replaying a claim whose caller already got a 503 would destroy a secret that nobody received.
 */
export const failFastOptions: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: 2_000,
  retryStrategy: reconnectDelay,
};

/** Registers the Lua scripts once per client; ioredis sends EVALSHA and falls back to EVAL. */
export function defineOtsCommands(redis: Redis | Cluster): OtsRedis {
  redis.defineCommand('otsCreate', { lua: scripts.CREATE });
  redis.defineCommand('otsClaim', { lua: scripts.CLAIM });
  redis.defineCommand('otsClaimIfUnchanged', { lua: scripts.CLAIM_IF_UNCHANGED });
  redis.defineCommand('otsRestore', { numberOfKeys: 2, lua: scripts.RESTORE });
  redis.defineCommand('otsSettle', { numberOfKeys: 1, lua: scripts.SETTLE });
  redis.defineCommand('otsFailedAttempt', { numberOfKeys: 1, lua: scripts.FAILED_ATTEMPT });
  redis.defineCommand('otsAddRecent', { numberOfKeys: 1, lua: scripts.ADD_RECENT });
  redis.defineCommand('otsSetReceiptField', { numberOfKeys: 1, lua: scripts.SET_RECEIPT_FIELD });
  redis.defineCommand('otsInspect', { numberOfKeys: 2, lua: scripts.INSPECT });
  redis.defineCommand('otsViewReceipt', { numberOfKeys: 1, lua: scripts.VIEW_RECEIPT });
  redis.defineCommand('otsRateTake', { numberOfKeys: 1, lua: scripts.RATE_TAKE });
  redis.defineCommand('otsLockoutHit', { numberOfKeys: 2, lua: scripts.LOCKOUT_HIT });
  redis.defineCommand('otsJournalAppend', { numberOfKeys: 3, lua: journal.JOURNAL_APPEND });
  redis.defineCommand('otsSweepExpired', { numberOfKeys: 3, lua: journal.SWEEP_EXPIRED });
  redis.defineCommand('otsExpiredFacts', { numberOfKeys: 1, lua: journal.EXPIRED_FACTS });
  redis.defineCommand('otsWebhookAck', { numberOfKeys: 1, lua: journal.ACK });
  redis.defineCommand('otsWebhookDeadLetter', { numberOfKeys: 2, lua: journal.DEAD_LETTER });
  redis.defineCommand('otsWebhookReplay', { numberOfKeys: 2, lua: journal.REPLAY });
  return redis as OtsRedis;
}

/** A demoted master answers READONLY until Sentinel's reconfiguration reaches us: reconnect to find the new one. */
const reconnectOnReadonly = (err: Error) => err.message.startsWith('READONLY');

export function clusterOptions(auth: RedisAuth = {}): ClusterOptions {
  // Reconnection is the cluster's (clusterRetryStrategy); a node takes only the per-connection options.
  const { lazyConnect, enableOfflineQueue, retryStrategy: _perCluster, ...perNode } = failFastOptions;
  return {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: reconnectDelay,
    // Slot map refreshes and redirects stay within the same bounds as a command.
    slotsRefreshTimeout: failFastOptions.connectTimeout,
    redisOptions: {
      ...perNode,
      username: auth.username,
      password: auth.password,
      ...(auth.tls ? { tls: {} } : {}),
    },
  };
}

export function sentinelOptions(target: Extract<RedisTarget, { kind: 'sentinel' }>, auth: RedisAuth = {}): RedisOptions {
  return {
    ...failFastOptions,
    sentinels: target.sentinels,
    name: target.name,
    role: 'master',
    username: auth.username,
    password: auth.password,
    sentinelPassword: auth.sentinelPassword,
    // Subscribes to the sentinels' +switch-master, so a failover is followed at once rather than on the next error.
    failoverDetector: true,
    sentinelCommandTimeout: READ_TIMEOUT_MS,
    sentinelRetryStrategy: reconnectDelay,
    reconnectOnError: reconnectOnReadonly,
    ...(auth.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
  };
}

function connect(target: RedisTarget, auth: RedisAuth): Redis | Cluster {
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, { ...failFastOptions, reconnectOnError: reconnectOnReadonly });
    case 'cluster':
      return new Cluster(target.nodes, clusterOptions(auth));
    case 'sentinel':
      return new Redis(sentinelOptions(target, auth));
  }
}

/** A client for the target, not yet connected (call connect()), with the store's Lua commands defined. */
export function createRedisClient(target: RedisTarget | string, auth: RedisAuth = {}): OtsRedis {
  const redis = connect(typeof target === 'string' ? { kind: 'single', url: target } : target, auth);
  // Connection errors surface per request as 503s; without a listener ioredis would print them raw.
  redis.on('error', () => {});
  coalesceWrites(redis);
  return defineOtsCommands(redis);
}
