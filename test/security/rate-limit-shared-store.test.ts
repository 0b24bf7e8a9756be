// The Redis store's rate counts behind the rate limits (RedisRateCounts in src/store/redis-store.ts), attacked
// directly on a real Redis: every request is counted in Redis with a count of its own, so a burst gets exactly its
// budget on one instance and on several instances sharing the Redis, and a window ends with its TTL.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OtsRedis } from '../../src/store/redis-client.js';
import { RedisRateCounts } from '../../src/store/redis-store.js';
import { connectTestRedis, uniquePrefix } from '../support/app.js';

const WINDOW_MS = 60_000;

describe('shared rate counts (redis)', () => {
  let redis: OtsRedis;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(() => redis.quit());

  /** How many of `n` concurrent requests a budget of `max` lets through. */
  async function allowed(counts: RedisRateCounts, key: string, max: number, n: number): Promise<number> {
    const answers = await Promise.all(Array.from({ length: n }, () => counts.hit(key, WINDOW_MS)));
    return answers.filter((a) => a.count <= max).length;
  }

  it('counts every request in Redis, each with a count of its own, under the window', async () => {
    const prefix = uniquePrefix();
    const counts = new RedisRateCounts(redis, prefix);
    const answers = await Promise.all(Array.from({ length: 60 }, () => counts.hit('create:192.0.2.1', WINDOW_MS)));
    expect(answers.map((a) => a.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const a of answers) expect(a.ttlMs).toBeGreaterThan(WINDOW_MS - 5_000);
    expect(Number(await redis.get(`${prefix}ratelimit:create:192.0.2.1`))).toBe(60);
    expect(await redis.pttl(`${prefix}ratelimit:create:192.0.2.1`)).toBeGreaterThan(WINDOW_MS - 5_000);
  });

  it('a burst of 50 on one instance gets exactly its budget', async () => {
    const counts = new RedisRateCounts(redis, uniquePrefix());
    expect(await allowed(counts, 'reveal:192.0.2.3', 10, 50)).toBe(10);
    expect(await allowed(counts, 'reveal:192.0.2.3', 10, 5)).toBe(0);
  });

  it('a burst spread over 4 instances sharing the Redis gets exactly the budget in total', async () => {
    const prefix = uniquePrefix();
    const instances = [1, 2, 3, 4].map(() => new RedisRateCounts(redis, prefix));
    const perInstance = await Promise.all(instances.map((c) => allowed(c, 'create:192.0.2.4', 40, 25)));
    expect(perInstance.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await Promise.all(instances.map((c) => allowed(c, 'create:192.0.2.4', 40, 5)))).toEqual([0, 0, 0, 0]);
  });

  it('a new window starts from zero when the last one has ended in Redis', async () => {
    const prefix = uniquePrefix();
    const counts = new RedisRateCounts(redis, prefix);
    const short = (n: number) => Promise.all(Array.from({ length: n }, () => counts.hit('burn:192.0.2.5', 200)));
    expect((await short(6)).filter((a) => a.count <= 4)).toHaveLength(4);
    // The 200 ms window ends in Redis (a real TTL, polled).
    await vi.waitFor(async () => expect(await redis.exists(`${prefix}ratelimit:burn:192.0.2.5`)).toBe(0), { timeout: 3000, interval: 20 });
    expect((await short(6)).filter((a) => a.count <= 4)).toHaveLength(4);
  });
});
