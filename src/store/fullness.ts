// Whether Redis refused our last write for want of memory (maxmemory under noeviction), for /ready: a full store still
// serves reveals, burns and receipt views, so it fails no probe; it says that creates are refused.
import type { StoreCheck, StoreReport } from './store-check.js';

/** A full store that nobody writes to any more is not reported for ever: the report lasts this long. */
const REPORT_MS = 60_000;

export class Fullness implements StoreCheck {
  private fullAt = -Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /** A write was refused for memory. */
  full(): void {
    this.fullAt = this.now();
  }

  /** A write went through. */
  room(): void {
    this.fullAt = -Infinity;
  }

  report(): StoreReport {
    return this.now() - this.fullAt < REPORT_MS ? { fields: { storeFull: 'true' } } : { fields: {} };
  }
}
