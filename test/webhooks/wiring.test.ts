// The deliverer in the server: startServer with WEBHOOK_URL records and delivers a secret's events (and counts them
// in the metrics), an app that only answers inject() delivers nothing, and closing the app waits for the post in
// flight before the store closes.
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-queue.js';
import { startServer, type RunningServer } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { testConfig } from '../support/app.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

const SECRET = newSigningSecret();
const ALL = { instanceEvents: WEBHOOK_EVENT_TYPES };

describe('the deliverer in the server', () => {
  let receiver: Receiver | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await receiver?.close();
  });

  it('startServer with WEBHOOK_URL posts a secret\'s created and revealed events, signed', async () => {
    receiver = await startReceiver();
    const server: RunningServer = await startServer({
      env: { WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: 'secret.created,secret.revealed', METRICS_PORT: '0' },
    });
    closers.push(() => server.close());
    const shared = (await (await fetch(`${server.url}/api/v2/secret/conceal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: { secret: 'hello webhooks' } }),
    })).json()) as { record: { secret: { key: string } } };
    await fetch(`${server.url}/api/v2/secret/${shared.record.secret.key}/reveal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"continue":true}' });
    await waitFor('two posts', () => receiver!.posts.length === 2);
    const types = receiver.posts.map((p) => (new Webhook(SECRET).verify(p.body, p.headers as Record<string, string>) as { type: string }).type);
    expect(types.sort()).toEqual(['secret.created', 'secret.revealed']);
    expect(receiver.posts.map((p) => p.body).join('')).not.toContain('hello webhooks');
  });

  it('counts deliveries in the metrics when METRICS_PORT is set', async () => {
    receiver = await startReceiver();
    const store = new MemoryStore(Date.now, ALL);
    const app = await buildApp(testConfig({ WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: SECRET, METRICS_PORT: '0' }), { store });
    closers.push(() => app.close(), () => store.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 'counted' } })).statusCode).toBe(200);
    await waitFor('the delivery', async () => (await store.webhooks.queue.status()).queued === 0 && receiver!.posts.length === 1);
    let metrics = '';
    await waitFor('the counter', async () => {
      metrics = await (await fetch(app.metricsUrl!)).text();
      return metrics.includes('ots_webhook_deliveries_total{outcome="delivered",status_class="2xx"} 1');
    });
    expect(metrics).toMatch(/^ots_webhook_queue_oldest_seconds \d/m);
  });

  it('does not deliver for an app that only answers inject()', async () => {
    receiver = await startReceiver();
    const store = new MemoryStore(Date.now, ALL);
    const app = await buildApp(testConfig({ WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: SECRET }), { store });
    closers.push(() => app.close(), () => store.close());
    expect((await app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 'not sent' } })).statusCode).toBe(200);
    // Longer than the idle poll (250 ms): a started deliverer would have taken the entry by now.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store.webhooks.queue.status()).toMatchObject({ queued: 1, pending: 0 });
  });

  it('close() waits for the post in flight, then stops taking', async () => {
    receiver = await startReceiver();
    let release: (() => void) | undefined;
    receiver.answer = (_req, res) => {
      release = () => res.writeHead(200).end();
    };
    const store = new MemoryStore(Date.now, ALL);
    const app = await buildApp(testConfig({ WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: SECRET }), { store });
    closers.push(() => store.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    await app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 'in flight' } });
    await waitFor('the post', () => release !== undefined);
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 'after close' } }).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release!();
    await closing;
    expect((await store.webhooks.queue.status()).pending).toBe(0);
    expect(receiver.posts).toHaveLength(1);
  });
});
