// The deliverer's metrics as Prometheus shows them: outcomes with status classes, retries, dead letters, queue age.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WebhookMetrics } from '../../src/metrics/webhook-metrics.js';
import { failureClassOf } from '../../src/webhooks/delivery-metrics.js';

describe('webhook metrics', () => {
  it('counts posts by outcome and status class, retries and dead letters, and shows the queue age in seconds', async () => {
    const registry = new Registry();
    const m = new WebhookMetrics(registry);
    m.delivered();
    m.delivered();
    m.failed(failureClassOf(503));
    m.failed(failureClassOf(undefined));
    m.failed(failureClassOf(302));
    m.retried();
    m.deadLettered();
    m.queueAge(2500);
    const text = await registry.metrics();
    expect(text).toContain('ots_webhook_deliveries_total{outcome="delivered",status_class="2xx"} 2');
    expect(text).toContain('ots_webhook_deliveries_total{outcome="failed",status_class="5xx"} 1');
    expect(text).toContain('ots_webhook_deliveries_total{outcome="failed",status_class="none"} 1');
    expect(text).toContain('ots_webhook_deliveries_total{outcome="failed",status_class="3xx"} 1');
    expect(text).toContain('ots_webhook_retries_total 1');
    expect(text).toContain('ots_webhook_dead_letters_total 1');
    expect(text).toContain('ots_webhook_queue_oldest_seconds 2.5');
    m.queueAge(null);
    expect(await registry.metrics()).toContain('ots_webhook_queue_oldest_seconds 0');
    m.queueAge(-40); // another instance's clock ahead of ours
    expect(await registry.metrics()).toContain('ots_webhook_queue_oldest_seconds 0');
  });

  it('classes a failure by its status, or none without an answer', () => {
    expect([100, 301, 404, 429, 500, 599, undefined].map(failureClassOf)).toEqual(['1xx', '3xx', '4xx', '4xx', '5xx', '5xx', 'none']);
  });
});
