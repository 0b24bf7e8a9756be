// The deliverer in the app: a listening server delivers (and counts it in its metrics), inject() alone does not,
// and closing the app stops it before the store closes.
import { Writable } from 'node:stream';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createLogger } from '../../src/app.js';
import { INSTANCE_TARGET } from '../../src/domain/webhook-queue.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { testConfig } from '../support/app.js';
import { FakeQueue, FakeTargets } from './fake-queue.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

const SECRET = newSigningSecret();

function event(queue: FakeQueue): void {
  const facts = { shortid: 'abcd1234', custid: 'anon', state: 'new', ttl: 60, created: 1_765_148_000, updated: 1_765_148_000 };
  queue.add({ messageId: 'msg_wired', target: INSTANCE_TARGET, type: 'secret.created', at: Date.now(), facts });
}

describe('the deliverer in the app', () => {
  let receiver: Receiver | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await receiver?.close();
  });

  async function app(env: Record<string, string> = {}) {
    receiver = await startReceiver();
    const queue = new FakeQueue();
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, new Writable({ write: (chunk, _enc, done) => done(void lines.push(String(chunk))) }));
    // TODO(store): a MemoryStore carries its own webhooks once the store work is on main.
    const store = Object.assign(new MemoryStore(), { webhooks: { queue, targets: new FakeTargets() } });
    const config = testConfig({ WEBHOOK_URL: `${receiver.url}/hook`, WEBHOOK_SECRET: SECRET, ...env });
    const built = await buildApp(config, { store, logger });
    closers.push(() => built.close());
    return { built, queue, lines };
  }

  it('delivers while the server listens, signed with WEBHOOK_SECRET, and counts it in the metrics', async () => {
    const { built, queue, lines } = await app({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    event(queue);
    await built.listen({ port: 0, host: '127.0.0.1' });
    await waitFor('the delivery', () => queue.entries.length === 0);
    const [post] = receiver!.posts;
    expect(new Webhook(SECRET).verify(post!.body, post!.headers as Record<string, string>)).toMatchObject({ type: 'secret.created' });
    const metrics = await (await fetch(built.metricsUrl!)).text();
    expect(metrics).toContain('ots_webhook_deliveries_total{outcome="delivered",status_class="2xx"} 1');
    expect(metrics).toMatch(/^ots_webhook_queue_oldest_seconds \d/m);
    expect(lines.join('')).toMatch(/"component":"webhooks".*"msg":"webhook delivered"/);
  });

  it('does not deliver for an app that only answers inject()', async () => {
    const { built, queue } = await app();
    let takes = 0;
    const takeNew = queue.takeNew.bind(queue);
    queue.takeNew = (consumer, count) => {
      takes++;
      return takeNew(consumer, count);
    };
    event(queue);
    expect((await built.inject('/api/v2/status')).statusCode).toBe(200);
    // Longer than the idle poll (250 ms): a started deliverer would have asked by now.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(takes).toBe(0);
  });

  it('close() waits for the post in flight, then stops taking', async () => {
    const { built, queue } = await app();
    let release: (() => void) | undefined;
    receiver!.answer = (_req, res) => {
      release = () => res.writeHead(200).end();
    };
    event(queue);
    await built.listen({ port: 0, host: '127.0.0.1' });
    await waitFor('the post', () => release !== undefined);
    let closed = false;
    const closing = built.close().then(() => (closed = true));
    event(queue);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release!();
    await closing;
    expect(queue.entries.map((e) => e.deliveries)).toEqual([0]);
  });
});
