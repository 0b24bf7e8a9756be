import type { FastifyRateLimitStore } from '@fastify/rate-limit';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

interface Counter {
  count: number;
  resetAt: number; // epoch ms when this window ends
}

/** Most clients counted at once; past that, the oldest windows are dropped (an attacker's flood evicts its own). */
const MAX_COUNTERS = 100_000;

/**
 * The in-process counter store for @fastify/rate-limit in memory mode: a fixed window per key, like the plugin's
 * Redis store (INCR, PEXPIRE on the first hit). The plugin's own LocalStore hands every caller the same mutable
 * object, so concurrent requests all read the final count and all get refused; this one answers each call with
 * its own numbers.
 */
export class MemoryRateLimitStore implements FastifyRateLimitStore {
  private readonly counters = new Map<string, Counter>();

  /** The plugin constructs its store with its own options; the window arrives with each incr call. */
  constructor(_pluginOptions?: unknown, private readonly now: () => number = Date.now) {}

  incr(key: string, callback: IncrCallback, timeWindow = 60_000): void {
    const now = this.now();
    let counter = this.counters.get(key);
    if (!counter || counter.resetAt <= now) {
      this.makeRoom(now);
      counter = { count: 0, resetAt: now + timeWindow };
      this.counters.delete(key); // re-inserted last, so Map order stays oldest-window-first
      this.counters.set(key, counter);
    }
    counter.count += 1;
    callback(null, { current: counter.count, ttl: counter.resetAt - now });
  }

  /** One store serves every route: the key already names the budget. */
  child(): FastifyRateLimitStore {
    return this;
  }

  /**
   * Counters sit in the Map in the order their windows began, and every window has the same length, so the front
   * ends first: dropping from the front while it has ended (or while the store is full) costs O(1) per new window.
   */
  private makeRoom(now: number): void {
    for (const [key, counter] of this.counters) {
      if (counter.resetAt > now && this.counters.size < MAX_COUNTERS) break;
      this.counters.delete(key);
    }
  }
}
