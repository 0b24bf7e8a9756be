// What the deliverer reports to the metrics (src/metrics/webhook-metrics.ts counts it); nothing when METRICS_PORT
// is unset.
import { statusClassOf, type StatusClass } from '../metrics/status-class.js';

/** A failed post's status class, or `none` when no answer came (timeout, refused, reset). */
export type FailureClass = StatusClass | 'none';

export interface DeliveryMetrics {
  delivered(): void;
  failed(statusClass: FailureClass): void;
  /** A try after the first (a retry, or an entry taken over from another instance). */
  retried(): void;
  deadLettered(): void;
  /** The age of the oldest queued entry in ms, null when the queue is empty (sampled, not on every event). */
  queueAge(oldestAgeMs: number | null): void;
}

export function failureClassOf(status: number | undefined): FailureClass {
  return status === undefined ? 'none' : statusClassOf(status);
}
