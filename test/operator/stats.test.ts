// `admin stats`: counts of live secrets and receipts by state, read from the server's Redis with SCAN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStats, formatStats } from '../../src/cli/stats.js';
import { burn, get, ok, reveal, share } from '../api/wire.js';
import { ensureBuilt, runBuilt } from '../e2e/built.js';
import { ALICE, makeApp, redisUrl, type TestApp } from '../support/app.js';
import { makePrefixedRedisStore, type PrefixedRedisStore } from '../support/redis-inspect.js';
import { StoreUnavailableError } from '../../src/domain/store.js';
import { createRedisClient } from '../../src/store/redis-client.js';
import { freePort, RedisServer } from '../support/redis-server.js';

describe('admin stats (Redis)', () => {
  let t: TestApp;
  let redis: PrefixedRedisStore;
  const secretValues: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    redis = await makePrefixedRedisStore();
    t = await makeApp('redis', {}, { store: redis.store });
    // 5 secrets: one stays new, one is viewed, one received, one burned, one orphaned (its secret removed).
    const made = [];
    for (let i = 0; i < 5; i++) {
      secretValues.push(`stats-secret-${i}`);
      made.push(await share(t, { secret: `stats-secret-${i}`, recipient: `r${i}@example.org` }, ALICE));
    }
    ok(await get(t, `/api/v1/private/${made[1]!.metadata_key}`, ALICE));
    ok(await reveal(t, made[2]!.secret_key!));
    ok(await burn(t, made[3]!.metadata_key, {}, ALICE));
    await redis.store.redis.del(redis.keys.secret(made[4]!.secret_key!));
    ok(await get(t, `/api/v1/private/${made[4]!.metadata_key}`, ALICE));
  });
  afterAll(() => t?.close());

  const expected = {
    secrets: 2,
    receipts: 5,
    states: { new: 1, viewed: 1, received: 1, burned: 1, expired: 0, orphaned: 1 },
  };

  it('counts live secrets, receipts and receipts per state under the prefix only', async () => {
    expect(await collectStats(redis.store.redis, redis.prefix)).toEqual(expected);
    // Another prefix on the same Redis (another test, another server) is not counted.
    expect((await collectStats(redis.store.redis, `${redis.prefix}other:`)).receipts).toBe(0);
  });

  it('the CLI prints tab-separated counts on stdout and nothing secret', async () => {
    const result = await runBuilt('cli/admin.js', ['stats'], { REDIS_URL: redisUrl(), REDIS_PREFIX: redis.prefix });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(formatStats(expected));
    expect(result.stdout).toBe(
      'secrets\t2\nreceipts\t5\nreceipts.new\t1\nreceipts.viewed\t1\nreceipts.received\t1\nreceipts.burned\t1\nreceipts.expired\t0\nreceipts.orphaned\t1\n',
    );
    for (const value of secretValues) expect(result.stdout).not.toContain(value);
  });

  it('treats glob characters in the prefix literally', async () => {
    expect((await collectStats(redis.store.redis, '*')).receipts).toBe(0);
  });

  it('in memory mode explains that there is no shared store to count (exit 78)', async () => {
    const result = await runBuilt('cli/admin.js', ['stats'], {});
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no shared');
    expect(result.stderr).toContain('REDIS_URL');
  });

  it('takes no arguments', async () => {
    const result = await runBuilt('cli/admin.js', ['stats', 'extra'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stats takes no arguments');
  });

  it('reports an unreachable Redis without a stack trace (exit 1)', async () => {
    const result = await runBuilt('cli/admin.js', ['stats'], { REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: redis.prefix });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach redis redis://127.0.0.1:1');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

// The store's rule, the same here: LOADING, READONLY, MASTERDOWN and the like say Redis cannot serve now, not that
// the command is wrong. A replica whose master is gone, told not to serve stale data, answers SCAN with MASTERDOWN.
describe('admin stats on a Redis that cannot serve now', () => {
  let replica: RedisServer;
  beforeAll(async () => {
    replica = await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(await freePort())] });
    // Only once it is up (the harness's readiness PING would meet MASTERDOWN too).
    const control = createRedisClient(replica.url);
    await control.connect();
    await control.config('SET', 'replica-serve-stale-data', 'no');
    control.disconnect();
  });
  afterAll(() => replica?.destroy());

  it('is the store unavailable, as for the server, not a Redis bug', async () => {
    const client = createRedisClient(replica.url);
    try {
      await client.connect();
      await expect(client.scan('0')).rejects.toThrow(/^MASTERDOWN/); // what the replica answers
      await expect(collectStats(client, 'ots:')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      client.disconnect();
    }
  });

  it('the CLI says it cannot use the store (exit 1), without a stack trace', async () => {
    const result = await runBuilt('cli/admin.js', ['stats'], { REDIS_URL: replica.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach redis ${replica.url}`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
