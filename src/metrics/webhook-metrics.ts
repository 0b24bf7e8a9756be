// The webhook deliverer's metrics on the app's registry: posts by outcome, retries, dead letters, the queue's age.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeliveryMetrics, FailureClass } from '../webhooks/delivery-metrics.js';

export class WebhookMetrics implements DeliveryMetrics {
  private readonly deliveries: Counter<'outcome' | 'status_class'>;
  private readonly retries: Counter;
  private readonly deadLetters: Counter;
  private readonly oldest: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.deliveries = new Counter({
      name: 'ots_webhook_deliveries_total',
      help: 'Webhook posts by outcome (delivered: a 2xx; failed: any other answer, or none) and status class (`none`: no answer).',
      labelNames: ['outcome', 'status_class'] as const,
      registers,
    });
    this.retries = new Counter({
      name: 'ots_webhook_retries_total',
      help: 'Webhook posts after the first try of their event (retries, and events taken over from a stopped instance).',
      registers,
    });
    this.deadLetters = new Counter({
      name: 'ots_webhook_dead_letters_total',
      help: 'Webhook events given up after their last try and moved to the dead-letter list.',
      registers,
    });
    this.oldest = new Gauge({
      name: 'ots_webhook_queue_oldest_seconds',
      help: 'Age of the oldest webhook event not yet delivered (0 when none), sampled every 15 s or so.',
      // Every worker samples the same shared queue: summing their samples would multiply the age.
      aggregator: 'max',
      registers,
    });
  }

  delivered(): void {
    this.deliveries.inc({ outcome: 'delivered', status_class: '2xx' });
  }

  failed(statusClass: FailureClass): void {
    this.deliveries.inc({ outcome: 'failed', status_class: statusClass });
  }

  retried(): void {
    this.retries.inc();
  }

  deadLettered(): void {
    this.deadLetters.inc();
  }

  queueAge(oldestAgeMs: number | null): void {
    // Another instance's clock may run ahead of ours: an age is never negative.
    this.oldest.set(Math.max(oldestAgeMs ?? 0, 0) / 1000);
  }
}
