// The rate counts behind the rate limits (RateCounts.take), attacked directly on both stores: a take is all or
// nothing, a burst gets exactly its budget, instances sharing one Redis share exact counts, and a window ends on time.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RateCounts, Store } from '../../src/domain/store.js';
import type { RedisStore } from '../../src/store/redis-store.js';
import { makeStore, STORE_KINDS, uniquePrefix } from '../support/app.js';

const WINDOW_MS = 60_000;
let n = 0;
/** A key of its own for each test: the counts are shared by every test on this prefix. */
const freshKey = () => `create:192.0.2.${++n}`;

describe.each(STORE_KINDS)('rate counts: take (%s store)', (kind) => {
  let store: Store;
  /** For Redis, four stores on one prefix (four server instances on one Redis); the memory store is one process. */
  let instances: RateCounts[];
  let peers: Store[] = [];
  let prefix: string;
  let clockMs = 1_000_000;

  beforeAll(async () => {
    prefix = uniquePrefix();
    store = await makeStore(kind, () => clockMs, prefix);
    peers = kind === 'redis' ? await Promise.all([1, 2, 3].map(() => makeStore(kind, undefined, prefix))) : [];
    instances = [store, ...peers].map((s) => s.rateCounts);
  });
  afterAll(() => Promise.all([store, ...peers].map((s) => s.close())));
  beforeEach(() => {
    clockMs = 1_000_000;
  });

  /** `count` takes of `units` at once, spread over the instances; the answers in order. */
  const burst = (key: string, count: number, limit: number, units = (_i: number) => 1, windowMs = WINDOW_MS) =>
    Promise.all(Array.from({ length: count }, (_, i) => instances[i % instances.length]!.take(key, windowMs, units(i), limit)));

  it('takes units while they fit; a take that would pass the limit adds nothing, and a smaller one still fits', async () => {
    const key = freshKey();
    const take = (units: number) => store.rateCounts.take(key, WINDOW_MS, units, 5);
    expect(await take(3)).toMatchObject({ count: 3, taken: true });
    expect(await take(3)).toMatchObject({ count: 3, taken: false });
    expect(await take(2)).toMatchObject({ count: 5, taken: true });
    expect(await take(1)).toMatchObject({ count: 5, taken: false });
    const last = await take(1);
    expect(last.ttlMs).toBeGreaterThan(WINDOW_MS - 5_000);
    expect(last.ttlMs).toBeLessThanOrEqual(WINDOW_MS);
  });

  it('counts each key apart', async () => {
    const [a, b] = [freshKey(), freshKey()];
    expect(await store.rateCounts.take(a, WINDOW_MS, 2, 2)).toMatchObject({ count: 2, taken: true });
    expect(await store.rateCounts.take(b, WINDOW_MS, 1, 2)).toMatchObject({ count: 1, taken: true });
  });

  it('the window starts with the first take; later takes do not extend it', async () => {
    const key = freshKey();
    const first = await store.rateCounts.take(key, 1000, 1, 10);
    expect(first.ttlMs).toBeLessThanOrEqual(1000);
    if (kind === 'memory') clockMs += 400;
    const later = await store.rateCounts.take(key, 1000, 1, 10);
    expect(later.ttlMs).toBeLessThanOrEqual(kind === 'memory' ? 600 : first.ttlMs);
    expect(later.count).toBe(2);
  });

  it('a burst of 50 single takes gets exactly its budget, each taken one a count of its own', async () => {
    const key = freshKey();
    const answers = await burst(key, 50, 10);
    const taken = answers.filter((a) => a.taken);
    expect(taken.map((a) => a.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    for (const refused of answers.filter((a) => !a.taken)) expect(refused.count).toBe(10);
    expect((await burst(key, 5, 10)).filter((a) => a.taken)).toHaveLength(0);
  });

  it('takes of mixed sizes at once never pass the limit, and the count is exactly what was taken', async () => {
    const key = freshKey();
    const units = (i: number) => (i % 4) + 1;
    const answers = await burst(key, 60, 50, units);
    const takenUnits = answers.reduce((sum, a, i) => sum + (a.taken ? units(i) : 0), 0);
    expect(takenUnits).toBeLessThanOrEqual(50);
    expect(takenUnits).toBeGreaterThan(50 - 4); // refused only when the rest would not fit
    expect(await store.rateCounts.take(key, WINDOW_MS, 1, Number.MAX_SAFE_INTEGER)).toMatchObject({ count: takenUnits + 1 });
  });

  it('a new window starts from zero when the last one has ended', async () => {
    const key = freshKey();
    const take = () => store.rateCounts.take(key, 200, 1, 4);
    expect((await burst(key, 6, 4, () => 1, 200)).filter((a) => a.taken)).toHaveLength(4);
    if (kind === 'memory') clockMs += 200;
    // Refused takes add nothing, so polling with them is safe: the first to pass opens the new window.
    await vi.waitFor(async () => expect(await take()).toMatchObject({ count: 1, taken: true }), { timeout: 3000, interval: 20 });
  });

  it.runIf(kind === 'redis')('instances sharing one Redis share one count, kept in Redis under the prefix', async () => {
    const key = freshKey();
    const answers = await burst(key, 100, 40);
    expect(answers.filter((a) => a.taken)).toHaveLength(40);
    for (const counts of instances) expect(await counts.take(key, WINDOW_MS, 1, 40)).toMatchObject({ taken: false, count: 40 });
    const { redis } = store as RedisStore;
    expect(await redis.get(`${prefix}ratelimit:${key}`)).toBe('40');
    expect(await redis.pttl(`${prefix}ratelimit:${key}`)).toBeGreaterThan(WINDOW_MS - 5_000);
  });
});
