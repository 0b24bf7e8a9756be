import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import { startWindow } from './rate-limit-windows.js';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

interface Counter {
  count: number;
  resetAt: number; // epoch ms when this window ends
}

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
      counter = startWindow(this.counters, key, { count: 0, resetAt: now + timeWindow }, (c) => c.resetAt > now);
    }
    counter.count += 1;
    callback(null, { current: counter.count, ttl: counter.resetAt - now });
  }

  /** One store serves every route: the key already names the budget. */
  child(): FastifyRateLimitStore {
    return this;
  }
}
