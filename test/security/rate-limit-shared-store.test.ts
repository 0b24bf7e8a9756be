// The Redis counter store behind the rate limits (src/plugins/rate-limit-redis-store.ts), attacked directly on a
// real Redis: counts stay exact in Redis, a client near its budget always waits for the count, bursts are refused
// exactly on one instance, and the overshoot a burst spread over instances can get is bounded as documented.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SharedRateLimitStore } from '../../src/plugins/rate-limit-redis-store.js';
import type { OtsRedis } from '../../src/store/redis-client.js';
import { connectTestRedis, uniquePrefix } from '../support/app.js';

const WINDOW_MS = 60_000;

describe('shared rate-limit counter store (redis)', () => {
  let redis: OtsRedis;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(() => redis.quit());

  /** One counted request, answered with the count the store reports for it. */
  function hit(store: SharedRateLimitStore, key: string, max: number, windowMs = WINDOW_MS) {
    return new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      store.incr(key, (err, res) => (err || !res ? reject(err ?? new Error('no answer')) : resolve(res)), windowMs, max),
    );
  }

  async function allowed(store: SharedRateLimitStore, key: string, max: number, n: number): Promise<number> {
    const answers = await Promise.all(Array.from({ length: n }, () => hit(store, key, max)));
    return answers.filter((a) => a.current <= max).length;
  }

  it('counts every request in Redis, answered at once or not', async () => {
    const ns = uniquePrefix();
    const store = new SharedRateLimitStore(redis, ns);
    await allowed(store, 'create:192.0.2.1', 100, 60);
    await new Promise((resolve) => setImmediate(resolve));
    await redis.ping(); // every count sent before this has been answered
    expect(Number(await redis.get(`${ns}create:192.0.2.1`))).toBe(60);
    expect(await redis.pttl(`${ns}create:192.0.2.1`)).toBeGreaterThan(WINDOW_MS - 5_000);
  });

  it('does not make a client far from its budget wait for the count, and does from a quarter on', async () => {
    const store = new SharedRateLimitStore(redis, uniquePrefix());
    const immediate: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      const answer = hit(store, 'reveal:192.0.2.2', 20);
      let resolvedFirst = false;
      void answer.then(() => (resolvedFirst = true));
      await Promise.resolve(); // a microtask: an answer given synchronously has resolved by now
      immediate.push(resolvedFirst);
      await answer;
    }
    // Budget 20: the first 5 (a quarter) go on at once, the rest wait for Redis.
    expect(immediate).toEqual([true, true, true, true, true, false, false, false]);
  });

  it("counts one client's requests in one turn with one command, each with the count it would get alone", async () => {
    const ns = uniquePrefix();
    const store = new SharedRateLimitStore(redis, ns);
    const sent = vi.spyOn(redis, 'otsRateLimitHit');
    try {
      // 30 from one client and 2 from another in the same turn; budget 12, so past the 3rd each waits for its count.
      const one = Array.from({ length: 30 }, () => hit(store, 'reveal:192.0.2.6', 12));
      const other = [hit(store, 'reveal:192.0.2.7', 12), hit(store, 'reveal:192.0.2.7', 12)];
      const counts = (await Promise.all(one)).map((a) => a.current);
      await Promise.all(other);
      expect(sent.mock.calls.map((c) => [c[0], c[2]])).toEqual([
        [`${ns}reveal:192.0.2.6`, 30],
        [`${ns}reveal:192.0.2.7`, 2],
      ]);
      expect(counts).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(counts.filter((c) => c <= 12)).toHaveLength(12);
      expect(Number(await redis.get(`${ns}reveal:192.0.2.6`))).toBe(30);
      // A later turn is a command of its own, counting on from there.
      expect((await hit(store, 'reveal:192.0.2.6', 12)).current).toBe(31);
      expect(sent).toHaveBeenCalledTimes(3);
    } finally {
      sent.mockRestore();
    }
  });

  it('a burst of 50 on one instance gets exactly its budget', async () => {
    const store = new SharedRateLimitStore(redis, uniquePrefix());
    expect(await allowed(store, 'reveal:192.0.2.3', 10, 50)).toBe(10);
    expect(await allowed(store, 'reveal:192.0.2.3', 10, 5)).toBe(0);
  });

  it('a burst spread over 4 fresh instances passes at most a quarter of the budget more per instance', async () => {
    const ns = uniquePrefix();
    const instances = [1, 2, 3, 4].map(() => new SharedRateLimitStore(redis, ns));
    const max = 40;
    const perInstance = await Promise.all(instances.map((s) => allowed(s, 'create:192.0.2.4', max, 25)));
    const total = perInstance.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(max);
    expect(total).toBeLessThanOrEqual(max + instances.length * (max / 4));
    // And once the count is known everywhere, nobody passes.
    expect(await Promise.all(instances.map((s) => allowed(s, 'create:192.0.2.4', max, 5)))).toEqual([0, 0, 0, 0]);
  });

  it('a new window starts from zero, here and in Redis', async () => {
    const ns = uniquePrefix();
    let clock = 1_000_000;
    const store = new SharedRateLimitStore(redis, ns, () => clock);
    const short = (n: number) => Promise.all(Array.from({ length: n }, () => hit(store, 'burn:192.0.2.5', 4, 200)));
    expect((await short(6)).filter((a) => a.current <= 4)).toHaveLength(4);
    // The 200 ms window ends in Redis (a real TTL, polled) and on this instance's clock.
    await vi.waitFor(async () => expect(await redis.exists(`${ns}burn:192.0.2.5`)).toBe(0), { timeout: 3000, interval: 20 });
    clock += 250;
    expect((await short(6)).filter((a) => a.current <= 4)).toHaveLength(4);
  });
});
