import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { OtsRedis } from '../store/redis-client.js';
import { startWindow } from './rate-limit-windows.js';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/** What this instance last heard from Redis about one client's budget. */
interface View {
  /** The count in Redis's latest answer. */
  seen: number;
  /** Counts sent and not answered yet. */
  pending: number;
  /** When the window ends, as far as this instance knows (epoch ms). */
  resetAt: number;
}

/** The requests of one client counted in one event-loop turn: sent to Redis as one INCRBY. */
interface Batch {
  view: View;
  windowMs: number;
  /** In arrival order; null for a request that went on without waiting for its count. */
  waiting: (IncrCallback | null)[];
}

/**
 * The shared counter store for @fastify/rate-limit: every request is counted in Redis (INCRBY, PEXPIRE on the first
 * hit of a window), so all instances share one count per client. A client far from its budget does not wait for
 * the count: while this instance's last answer plus its own unanswered counts stay within a quarter of the budget,
 * the request goes on at once. From a quarter on, every request waits for Redis's count, so a single instance is
 * exact; across instances a burst timed against stale answers can pass at most a quarter of the budget more per
 * instance and window.
 * The requests one client sends in one event-loop turn are counted by one command at the end of the turn, and each
 * gets the count it would have got alone (Redis's answer less the ones after it): a flood from one client costs one
 * counter command per turn, not one per request (`npm run bench:ladder` shows what the limiter costs).
 */
export class SharedRateLimitStore implements FastifyRateLimitStore {
  private readonly views = new Map<string, View>();
  private batches = new Map<string, Batch>();

  constructor(
    private readonly redis: OtsRedis,
    private readonly nameSpace: string,
    private readonly now: () => number = Date.now,
  ) {}

  incr(key: string, callback: IncrCallback, timeWindow = 60_000, max = 0): void {
    const view = this.viewOf(key, timeWindow);
    const freeToGo = (view.seen + view.pending + 1) * 4 <= max;
    view.pending += 1;
    let batch = this.batches.get(key);
    if (!batch) {
      if (this.batches.size === 0) setImmediate(() => this.flush());
      batch = { view, windowMs: timeWindow, waiting: [] };
      this.batches.set(key, batch);
    }
    batch.waiting.push(freeToGo ? null : callback);
    if (freeToGo) callback(null, { current: view.seen + view.pending, ttl: Math.max(0, view.resetAt - this.now()) });
  }

  /** Sends this turn's counts, one command per client, and answers the requests that wait for theirs. */
  private flush(): void {
    const batches = this.batches;
    this.batches = new Map();
    for (const [key, { view, windowMs, waiting }] of batches) {
      const n = waiting.length;
      this.redis.otsRateLimitHit(this.nameSpace + key, windowMs, n).then(
        ([current, ttl]) => {
          view.pending -= n;
          view.seen = current;
          view.resetAt = this.now() + ttl;
          waiting.forEach((cb, i) => cb?.(null, { current: current - n + 1 + i, ttl }));
        },
        (err: Error) => {
          view.pending -= n;
          // Redis away: a request that went on answers 503 through its own command
          for (const cb of waiting) cb?.(err, { current: 0, ttl: 0 });
        },
      );
    }
  }

  /** One store serves every route: the key already names the budget. */
  child(): FastifyRateLimitStore {
    return this;
  }

  private viewOf(key: string, timeWindow: number): View {
    const now = this.now();
    // A view is in use while its window runs or counts for it are still unanswered.
    const inUse = (v: View) => v.resetAt > now || v.pending > 0;
    const known = this.views.get(key);
    if (known && inUse(known)) return known;
    return startWindow(this.views, key, { seen: 0, pending: 0, resetAt: now + timeWindow }, inUse);
  }
}
