// Two delivery workers on one Redis (two store instances on the same keys, as two servers would be): an entry whose
// worker stops answering mid-post is taken over and delivered under the same webhook-id, and an expiry is posted
// once however many workers sweep. Runs on every topology CI tests (single, Cluster, Sentinel).
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretsService, type Actor } from '../../src/domain/secrets-service.js';
import type { Store } from '../../src/domain/store.js';
import type { WebhookEventType } from '../../src/domain/webhook-queue.js';
import { WebhookDeliverer, type DeliverySettings } from '../../src/webhooks/deliverer.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { makeStore, testConfig, uniquePrefix } from '../support/app.js';
import { answerStatus, startReceiver, waitFor, type Receiver } from './receiver.js';

const SECRET = newSigningSecret();
const alice: Actor = { custid: 'alice@example.com', isAccount: true };
const quiet = { info: () => {}, warn: () => {} };

describe('webhook delivery across two workers on one Redis', () => {
  let receiver: Receiver;
  const opened: Store[] = [];
  const running: WebhookDeliverer[] = [];
  const held = new Set<ServerResponse>();
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const res of held) res.destroy();
    held.clear();
    await Promise.all(running.splice(0).map((d) => d.stop()));
    receiver.posts.length = 0;
    receiver.answer = answerStatus(204);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await receiver?.close();
  });

  async function twoInstances(instanceEvents: readonly WebhookEventType[]) {
    const prefix = uniquePrefix();
    const stores = [await makeStore('redis', undefined, prefix, { instanceEvents }), await makeStore('redis', undefined, prefix, { instanceEvents })];
    opened.push(...stores);
    const config = testConfig({ TTL_MIN: '1' });
    const service = new SecretsService(stores[0]!.secrets, config, [config.secret], { error: () => {} });
    return { stores, service };
  }
  function deliverer(store: Store, over: Partial<DeliverySettings>): WebhookDeliverer {
    const settings: DeliverySettings = {
      instance: { url: `${receiver.url}/hook`, secret: SECRET },
      timeoutMs: 300,
      attempts: 5,
      retryDelayMs: 50,
      concurrency: 4,
      expiryScanMs: 60_000,
      ...over,
    };
    const d = new WebhookDeliverer({ webhooks: store.webhooks, settings, log: quiet });
    running.push(d);
    d.start();
    return d;
  }
  const typesPosted = () => receiver.posts.map((p) => (new Webhook(SECRET).verify(p.body, p.headers as Record<string, string>) as { type: string }).type);

  it('takes over an entry whose worker hangs mid-post, and delivers it under the same webhook-id', async () => {
    const { stores, service } = await twoInstances(['secret.created']);
    receiver.answer = (_req, res) => held.add(res); // the first post never gets an answer
    await service.share({ secret: 'taken over' }, alice);
    // A waits a minute for its answer: to B, which counts on 300 ms posts, A looks dead after 600 ms.
    const a = deliverer(stores[0]!, { timeoutMs: 60_000 });
    await waitFor("A's post", () => receiver.posts.length === 1);
    receiver.answer = answerStatus(200);
    const b = deliverer(stores[1]!, {});
    await waitFor("B's post acknowledged", async () => receiver.posts.length === 2 && (await stores[1]!.webhooks.queue.status()).queued === 0);
    expect(receiver.posts[1]!.headers['webhook-id']).toBe(receiver.posts[0]!.headers['webhook-id']);
    expect(typesPosted()).toEqual(['secret.created', 'secret.created']);
    expect(a.consumer).not.toBe(b.consumer);
    expect((await stores[0]!.webhooks.queue.status()).deadLetters).toBe(0);
  });

  it('posts an expiry once while both workers sweep', async () => {
    const { stores, service } = await twoInstances(['secret.expired']);
    const made = await Promise.all([1, 2, 3].map((i) => service.share({ secret: `expiring ${i}`, ttl: '1' }, alice)));
    for (const store of stores) deliverer(store, { expiryScanMs: 100 });
    await waitFor('three expiries', () => receiver.posts.length >= 3);
    // A few more sweeps by both: nothing is reported twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(typesPosted()).toEqual(['secret.expired', 'secret.expired', 'secret.expired']);
    const shortids = receiver.posts.map((p) => (JSON.parse(p.body) as { data: { shortid: string } }).data.shortid).sort();
    expect(shortids).toEqual(made.map((m) => m.receipt.metadataKey.slice(0, 8)).sort());
  });
});
