// The rate limit counts at the edge: every request to a limited route takes one unit on arrival, before its body is
// read and before any store step. What a user or an attacker could check: a refused request changes nothing, budgets
// are exact under concurrency across instances, requests that fail early count all the same, a client known to be
// past its budget costs Redis nothing, and a store that cannot count refuses nothing.
// (How many commands a request sends is pinned in test/perf/redis-round-trips.test.ts.)
import type { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { commandsSentBy } from '../perf/redis-monitor.js';
import { basic, makeApp, makeStore, uniquePrefix, type TestApp } from '../support/app.js';
import { RedisServer } from '../support/redis-server.js';
import { expectRateLimited, isRateLimited, randomKey, share } from './support.js';

const WINDOW = 60;

/** Every key under `pattern`, on each master of a Cluster. */
async function keysOf(store: RedisStore, pattern: string): Promise<string[]> {
  const { redis } = store;
  const nodes = redis.isCluster ? (redis as unknown as Cluster).nodes('master') : [redis];
  return (await Promise.all(nodes.map((n) => n.keys(pattern)))).flat();
}

const secretKeyOf = (res: { json(): unknown }) => (res.json() as { secret_key: string }).secret_key;

describe('rate limits at the edge (redis)', () => {
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>, prefix = uniquePrefix()) => {
    const t = await makeApp('redis', { RATE_LIMIT_WINDOW: String(WINDOW), ...env }, { store: await makeStore('redis', undefined, prefix) });
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });

  it('a create refused by the count stores nothing, and the refusal adds nothing to the count', async () => {
    const prefix = uniquePrefix();
    const a = await start({ RATE_LIMIT_CREATE: '3' }, prefix);
    // A second instance on the same Redis has not seen the refusal: its own create is refused by the count itself.
    const b = await start({ RATE_LIMIT_CREATE: '3' }, prefix);
    for (let i = 0; i < 3; i++) expect(isRateLimited(await share(a.app, '198.51.100.10'))).toBe(false);
    const store = a.store as RedisStore;
    const before = await keysOf(store, `${prefix}secret:*`);
    expect(before).toHaveLength(3);
    expectRateLimited(await share(b.app, '198.51.100.10'), WINDOW);
    expect(b.logs.filter((l) => l.includes('rate limit exceeded'))).toHaveLength(1);
    expect((await keysOf(store, `${prefix}secret:*`)).sort()).toEqual(before.sort());
    expect((await keysOf(store, `${prefix}receipt:*`)).length).toBe(3);
    expect(await store.redis.get(`${prefix}ratelimit:create:198.51.100.10`)).toBe('3');
  });

  it("a reveal refused by the count consumes nothing: the secret's recipient still gets it", async () => {
    const prefix = uniquePrefix();
    const a = await start({ RATE_LIMIT_REVEAL: '2' }, prefix);
    const b = await start({ RATE_LIMIT_REVEAL: '2' }, prefix);
    const key = secretKeyOf(await share(a.app, '192.0.2.50'));
    for (let i = 0; i < 2; i++) await a.app.inject({ method: 'POST', url: `/api/v1/secret/${randomKey()}`, remoteAddress: '203.0.113.77' });
    // The guesser now holds the right key, on an instance that does not know it is past its budget.
    expectRateLimited(await b.app.inject({ method: 'POST', url: `/api/v1/secret/${key}`, remoteAddress: '203.0.113.77' }), WINDOW);
    const v2 = await b.app.inject({ method: 'POST', url: `/api/v2/secret/${key}/reveal`, remoteAddress: '203.0.113.78', payload: { continue: true } });
    expect(v2.json()).toMatchObject({ record: { secret_value: 'rate me' } });
  });

  it('of 40 concurrent creates and reveals over two instances, exactly the budget gets through', async () => {
    const prefix = uniquePrefix();
    const a = await start({ RATE_LIMIT_CREATE: '15', RATE_LIMIT_REVEAL: '15' }, prefix);
    const b = await start({ RATE_LIMIT_CREATE: '15', RATE_LIMIT_REVEAL: '15' }, prefix);
    const creates = await Promise.all(Array.from({ length: 40 }, (_, i) => share((i % 2 ? b : a).app, '192.0.2.60')));
    const made = creates.filter((r) => !isRateLimited(r));
    expect(made).toHaveLength(15);
    expect(made.every((r) => r.statusCode === 200)).toBe(true);
    // Each reveal to a secret of its own: every one would succeed but for the budget.
    const more = await Promise.all(Array.from({ length: 25 }, () => share(a.app, '192.0.2.62')));
    const keys = [...made, ...more].map(secretKeyOf);
    const reveals = await Promise.all(
      keys.map((k, i) => (i % 2 ? b : a).app.inject({ method: 'POST', url: `/api/v1/secret/${k}`, remoteAddress: '192.0.2.61' })),
    );
    const revealed = reveals.filter((r) => !isRateLimited(r));
    expect(revealed).toHaveLength(15);
    expect(revealed.every((r) => (r.json() as { value?: string }).value === 'rate me')).toBe(true);
  });

  it('requests that fail early (empty secret, wrong token, malformed key) are counted too, and refused past the budget', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '3', RATE_LIMIT_REVEAL: '3' });
    const from = '192.0.2.70';
    const empty = () => app.inject({ method: 'POST', url: '/api/v1/share', remoteAddress: from, payload: { secret: '' } });
    const wrongToken = () =>
      app.inject({ method: 'POST', url: '/api/v1/share', remoteAddress: from, headers: { authorization: basic({ email: 'alice@example.com', token: 'wrong' }) }, payload: { secret: 'x' } });
    expect((await empty()).json()).toEqual({ message: 'You did not provide anything to share' });
    expect((await wrongToken()).json()).toEqual({ message: 'Not authorized' });
    expect((await empty()).statusCode).toBe(404);
    // The budget of 3 is spent: a good create, a bad one and a wrong token are all refused now.
    expectRateLimited(await share(app, from), WINDOW);
    expectRateLimited(await empty(), WINDOW);
    expectRateLimited(await wrongToken(), WINDOW);
    // A malformed key never reaches the store (v1 reveal, v2 status); it is counted all the same.
    const bad = () => app.inject({ method: 'POST', url: '/api/v1/secret/NOT-A-KEY', remoteAddress: from });
    const status = () => app.inject({ method: 'GET', url: '/api/v2/secret/NOT-A-KEY/status', remoteAddress: from });
    expect((await bad()).json()).toMatchObject({ message: 'Unknown secret' });
    expect((await status()).json()).toEqual({ success: true, record: { state: 'unknown' } });
    expect((await bad()).json()).toMatchObject({ message: 'Unknown secret' });
    expectRateLimited(await bad(), WINDOW);
    expect((await status()).statusCode).toBe(429);
  });

  it('a client found past its budget is refused on arrival, with no Redis command', async () => {
    const { app, store } = await start({ RATE_LIMIT_CREATE: '2' });
    for (let i = 0; i < 3; i++) await share(app, '198.51.100.9');
    const sent = await commandsSentBy((store as RedisStore).redis, async () => {
      for (let i = 0; i < 5; i++) expectRateLimited(await share(app, '198.51.100.9'), WINDOW);
    });
    expect(sent).toEqual([]);
    // Another client on the same instance is counted as usual: the watch would have seen its commands.
    const other = await commandsSentBy((store as RedisStore).redis, () => share(app, '198.51.100.8'));
    expect(other.length).toBeGreaterThan(0);
  });

  it('a store that cannot count (a full Redis) refuses nothing: reveals go on, a create fails on its own', async () => {
    const server = await RedisServer.start();
    try {
      const redis = createRedisClient(server.url);
      await redis.connect();
      const t = await makeApp('redis', { RATE_LIMIT_WINDOW: String(WINDOW), RATE_LIMIT_CREATE: '1', RATE_LIMIT_REVEAL: '1' }, { store: new RedisStore(redis, uniquePrefix()) });
      apps.push(t);
      const keys = [secretKeyOf(await share(t.app, '192.0.2.91')), secretKeyOf(await share(t.app, '192.0.2.92'))];
      // Full: every command that needs memory is refused (noeviction), the rate count's among them.
      await redis.config('SET', 'maxmemory', '1');
      for (const key of keys) {
        const res = await t.app.inject({ method: 'POST', url: `/api/v1/secret/${key}`, remoteAddress: '203.0.113.90' });
        expect(res.json()).toMatchObject({ value: 'rate me' });
      }
      const create = await share(t.app, '203.0.113.90');
      expect(isRateLimited(create)).toBe(false);
      expect(create.headers['x-ots-intended-status']).toBe('503');
    } finally {
      await server.destroy();
    }
  });
});
