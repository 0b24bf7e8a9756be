// Builds the real app for tests, on Redis (the run's shared server, a fresh key prefix) or the memory store.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp, createLogger, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { journalSettingsOf } from '../../src/config-webhooks.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { createRedisClient, type OtsRedis } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { JournalSettings } from '../../src/domain/webhook-queue.js';
import type { Store } from '../../src/domain/store.js';
import { topologyFromEnv } from './topology.js';

export type StoreKind = 'redis' | 'memory';
/** Under OTS_TEST_TOPOLOGY=cluster or sentinel only Redis stores run: the memory store's results would not change. */
export const STORE_KINDS: StoreKind[] = topologyFromEnv() === 'single' ? ['redis', 'memory'] : ['redis'];

export const TEST_MASTER_KEY = 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00';
export const ALICE = { email: 'alice@example.com', token: 'alice-token-0123456789abcdefghijk' };
export const BOB = { email: 'bob@example.com', token: 'bob-token-0123456789abcdefghijklm' };

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A connected client for the run's topology (single server, Cluster or Sentinel), with the store's scripts. */
export async function connectTestRedis(): Promise<OtsRedis> {
  const redis = createRedisClient(inject('redisTarget'));
  await redis.connect();
  return redis;
}

export const HIGH_RATE_LIMITS = Object.fromEntries(
  ['CREATE', 'REVEAL', 'RECEIPT', 'BURN', 'UNROUTED', 'AUTH_FAILURES'].map((c) => [`RATE_LIMIT_${c}`, '1000000']),
);

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    OTS_SECRET: TEST_MASTER_KEY,
    OTS_ACCOUNTS: `${ALICE.email}:${ALICE.token},${BOB.email}:${BOB.token}`,
    OTS_PUBLIC_URL: 'https://secrets.example.com',
    LOG_LEVEL: 'info',
    // Suites send many requests from 127.0.0.1; the limits themselves are tested in test/security with low ones.
    ...HIGH_RATE_LIMITS,
    ...env,
  });
}

/** A unique Redis key prefix, so test files never collide. */
export function uniquePrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** A store of the given kind; Redis stores get a unique key prefix unless one is given (to share it with a child process). */
export async function makeStore(kind: StoreKind, now?: () => number, prefix = uniquePrefix(), journal?: JournalSettings): Promise<Store> {
  if (kind === 'memory') return new MemoryStore(now, journal);
  return new RedisStore(await connectTestRedis(), prefix, { journal });
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  config: Config;
  /** Every log line the app wrote, raw. */
  logs: string[];
  close(): Promise<void>;
}

export async function makeApp(
  kind: StoreKind,
  env: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, 'store' | 'logger'>> & { store?: Store } = {},
): Promise<TestApp> {
  const config = testConfig(env);
  // Events of WEBHOOK_URL are recorded as npm start records them.
  const store = deps.store ?? (await makeStore(kind, deps.now, uniquePrefix(), journalSettingsOf(config)));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger(config, sink); // the server's own logger configuration, writing to `logs`
  const app = await buildApp(config, { ...deps, store, logger });
  await app.ready();
  return {
    app,
    store,
    config,
    logs,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

export function basic(user: { email: string; token: string }): string {
  return `Basic ${Buffer.from(`${user.email}:${user.token}`).toString('base64')}`;
}
