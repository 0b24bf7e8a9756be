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

/**
 * The shared counter store for @fastify/rate-limit: every request is counted in Redis (INCR, PEXPIRE on the first
 * hit of a window), so all instances share one count per client. A client far from its budget does not wait for
 * the count: while this instance's last answer plus its own unanswered counts stay within a quarter of the budget,
 * the request goes on at once, and its count travels in the same write as the request's own Redis command (one
 * round trip instead of two: the largest cost of a request on a busy host, `npm run bench`). From a quarter on,
 * every request waits for Redis's count, so a single instance is exact; across instances a burst timed against
 * stale answers can pass at most a quarter of the budget more per instance and window.
 */
export class SharedRateLimitStore implements FastifyRateLimitStore {
  private readonly views = new Map<string, View>();

  constructor(
    private readonly redis: OtsRedis,
    private readonly nameSpace: string,
    private readonly now: () => number = Date.now,
  ) {}

  incr(key: string, callback: IncrCallback, timeWindow = 60_000, max = 0): void {
    const view = this.viewOf(key, timeWindow);
    const freeToGo = (view.seen + view.pending + 1) * 4 <= max;
    view.pending += 1;
    const counted = this.redis.otsRateLimitHit(this.nameSpace + key, timeWindow).then(
      ([current, ttl]) => {
        view.pending -= 1;
        view.seen = current;
        view.resetAt = this.now() + ttl;
        return { current, ttl };
      },
      (err: unknown) => {
        view.pending -= 1;
        throw err;
      },
    );
    if (freeToGo) {
      counted.catch(() => {}); // Redis away: the request's own command answers 503
      callback(null, { current: view.seen + view.pending, ttl: Math.max(0, view.resetAt - this.now()) });
      return;
    }
    counted.then(
      (res) => callback(null, res),
      (err: Error) => callback(err, { current: 0, ttl: 0 }),
    );
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
