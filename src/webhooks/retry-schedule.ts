// When a failed or abandoned delivery is handed out again: exponential backoff, capped, and never before a live
// instance could still be posting it (so a slow instance is not overtaken; a dead one's entries are taken over).

const MAX_WAIT_MS = 3600_000;

export interface RetrySchedule {
  /** WEBHOOK_RETRY_DELAY: the wait before the first retry. */
  retryDelayMs: number;
  /** WEBHOOK_TIMEOUT: the longest one post may take. */
  timeoutMs: number;
}

/** Milliseconds to wait after the `deliveries`-th try before the next: delay × 2^(deliveries−1), within bounds. */
export function retryWaitMs(deliveries: number, s: RetrySchedule): number {
  const doubled = s.retryDelayMs * 2 ** Math.max(deliveries - 1, 0);
  return Math.max(Math.min(doubled, MAX_WAIT_MS), 2 * s.timeoutMs);
}
