import type { RateCounts } from '../domain/store.js';

/** Most windows kept at once; past that the oldest go first (a flood of new clients evicts its own). */
const MAX_WINDOWS = 100_000;

interface Window {
  count: number;
  /** Epoch ms when the window ends. */
  endsAt: number;
}

/** The memory store's rate counts: a fixed window per key, as the Redis store's counter script keeps them. */
export class MemoryRateCounts implements RateCounts {
  /** Kept in the order the windows began; all windows of a key have the same length, so the front ends first. */
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, windowMs: number, units: number, limit: number): Promise<{ count: number; ttlMs: number; taken: boolean }> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) window = this.start(key, { count: 0, endsAt: now + windowMs }, now);
    const taken = window.count + units <= limit;
    if (taken) window.count += units;
    return { count: window.count, ttlMs: window.endsAt - now, taken };
  }

  async hitWithLockout(key: string, cap: number, windowMs: number, lockoutMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const now = this.now();
    const lock = this.windows.get(`locked:${key}`);
    if (lock && lock.endsAt > now) return { allowed: false, retryAfterMs: lock.endsAt - now };
    const { count } = await this.take(`attempts:${key}`, windowMs, 1, Number.MAX_SAFE_INTEGER);
    if (count < cap) return { allowed: true, retryAfterMs: 0 };
    this.windows.delete(`attempts:${key}`);
    this.start(`locked:${key}`, { count: 0, endsAt: now + lockoutMs }, now);
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Forgets every window (the test double's reset). */
  clear(): void {
    this.windows.clear();
  }

  /** Drops ended windows from the front (and the oldest while full): O(1) per new window. */
  private start(key: string, window: Window, now: number): Window {
    for (const [k, w] of this.windows) {
      if (w.endsAt > now && this.windows.size < MAX_WINDOWS) break;
      this.windows.delete(k);
    }
    this.windows.delete(key); // re-inserted last, so the Map stays oldest-window-first
    this.windows.set(key, window);
    return window;
  }
}
