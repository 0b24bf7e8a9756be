// The delivery worker against a real receiver on loopback: signed posts verified by the standardwebhooks package,
// acknowledgement after a 2xx only, retries with the backoff, the dead letters, bounded concurrency, queue outages
// waited out, and log lines without the payload, the custid, the URL's query or the secret.
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INSTANCE_TARGET, type QueuedEvent, type WebhookEventType } from '../../src/domain/webhook-queue.js';
import type { DeliveryMetrics, FailureClass } from '../../src/webhooks/delivery-metrics.js';
import { WebhookDeliverer, type DeliverySettings } from '../../src/webhooks/deliverer.js';
import { retryWaitMs } from '../../src/webhooks/retry-schedule.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { FakeQueue, FakeTargets } from './fake-queue.js';
import { answerStatus, startReceiver, waitFor, type Receiver } from './receiver.js';

const INSTANCE_SECRET = newSigningSecret();
const ACCOUNT_SECRET = newSigningSecret();
const ALICE = 'alice@example.com';

let n = 0;
function queued(queue: FakeQueue, type: WebhookEventType = 'secret.revealed', target = INSTANCE_TARGET): string {
  const messageId = `msg_${++n}`;
  const facts = { shortid: `sh${n}`.padEnd(8, '0'), custid: ALICE, state: 'received', ttl: 3600, created: 1_765_148_000, updated: 1_765_148_400 };
  queue.add({ messageId, target, type, at: Date.now(), facts });
  return messageId;
}

class CountingMetrics implements DeliveryMetrics {
  counts = { delivered: 0, retried: 0, deadLettered: 0, failed: [] as FailureClass[], ages: [] as (number | null)[] };
  delivered = () => void this.counts.delivered++;
  failed = (c: FailureClass) => void this.counts.failed.push(c);
  retried = () => void this.counts.retried++;
  deadLettered = () => void this.counts.deadLettered++;
  queueAge = (ms: number | null) => void this.counts.ages.push(ms);
}

describe('webhook deliverer', () => {
  let receiver: Receiver;
  let queue: FakeQueue;
  let targets: FakeTargets;
  let metrics: CountingMetrics;
  let lines: { level: string; obj: object; msg: string }[];
  let deliverer: WebhookDeliverer | undefined;
  const held = new Set<ServerResponse>();

  const log = {
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
  };
  function start(over: Partial<DeliverySettings> = {}): WebhookDeliverer {
    const settings: DeliverySettings = {
      instance: { url: `${receiver.url}/instance?token=query-token`, secret: INSTANCE_SECRET },
      timeoutMs: 2000,
      attempts: 3,
      retryDelayMs: 50,
      concurrency: 4,
      expiryScanMs: 60_000,
      ...over,
    };
    deliverer = new WebhookDeliverer({ webhooks: { queue, targets }, settings, log, metrics });
    deliverer.start();
    return deliverer;
  }
  const verified = (secret: string, i: number) => new Webhook(secret).verify(receiver.posts[i]!.body, receiver.posts[i]!.headers as Record<string, string>);

  beforeEach(async () => {
    receiver = await startReceiver();
    queue = new FakeQueue();
    targets = new FakeTargets();
    metrics = new CountingMetrics();
    lines = [];
  });
  afterEach(async () => {
    for (const res of held) res.destroy();
    held.clear();
    await deliverer?.stop();
    deliverer = undefined;
    await receiver.close();
  });

  it('posts each queued event once to the instance endpoint, signed, and acknowledges it after the 2xx', async () => {
    const ids = [queued(queue, 'secret.created'), queued(queue, 'secret.revealed'), queued(queue, 'secret.burned')];
    const d = start();
    expect(d.consumer).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{8}$`));
    await waitFor('three posts acknowledged', () => queue.entries.length === 0);
    expect(receiver.posts.map((p) => p.headers['webhook-id']).sort()).toEqual(ids.sort());
    for (let i = 0; i < 3; i++) expect(verified(INSTANCE_SECRET, i)).toMatchObject({ data: { custid: ALICE } });
    expect(receiver.posts.every((p) => p.path === '/instance?token=query-token')).toBe(true);
    expect(metrics.counts).toMatchObject({ delivered: 3, retried: 0, failed: [] });
    expect(lines.filter((l) => l.msg === 'webhook delivered').map((l) => l.obj)).toContainEqual({ type: 'secret.created', shortid: expect.any(String), target: 'instance', attempt: 1, status: 204 });
  });

  it("posts an account's events to its own endpoint with its own secret; a removed endpoint's events are dropped", async () => {
    await targets.set(ALICE, { url: `${receiver.url}/alice`, secret: ACCOUNT_SECRET, created: 1 });
    queued(queue, 'secret.burned', ALICE);
    queued(queue, 'secret.burned', 'bob@example.com');
    start({ instance: undefined });
    await waitFor('both entries gone', () => queue.entries.length === 0);
    expect(receiver.posts.map((p) => p.path)).toEqual(['/alice']);
    expect(verified(ACCOUNT_SECRET, 0)).toMatchObject({ type: 'secret.burned' });
    expect(() => verified(INSTANCE_SECRET, 0)).toThrow();
    expect(lines.find((l) => l.msg.includes('dropped'))?.obj).toMatchObject({ target: 'account', type: 'secret.burned' });
  });

  it('tries a failing endpoint again once the backoff has passed, with the same webhook-id, until a 2xx', async () => {
    const answers = [503, 500];
    receiver.answer = (req, res, post) => answerStatus(answers.shift() ?? 200)(req, res, post);
    const id = queued(queue);
    const d = start({ attempts: 5, retryDelayMs: 10_000, timeoutMs: 2000 });
    expect([1, 2, 3].map(d.waitMs)).toEqual([10_000, 20_000, 40_000]);
    await waitFor('the first failure', () => metrics.counts.failed.length === 1);
    queue.advance(10_000);
    await waitFor('the second failure', () => metrics.counts.failed.length === 2);
    expect(receiver.posts).toHaveLength(2);
    queue.advance(20_000);
    await waitFor('the third try acknowledged', () => queue.entries.length === 0);
    expect(receiver.posts.map((p) => p.headers['webhook-id'])).toEqual([id, id, id]);
    expect(metrics.counts).toMatchObject({ delivered: 1, retried: 2, failed: ['5xx', '5xx'], deadLettered: 0 });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.obj)).toEqual([
      expect.objectContaining({ attempt: 1, status: 503, retryInMs: 10_000 }),
      expect.objectContaining({ attempt: 2, status: 500, retryInMs: 20_000 }),
    ]);
  });

  it('moves an event to the dead letters after its last try, saying why, and never posts it again', async () => {
    queued(queue);
    receiver.answer = (_req, res) => held.add(res); // never answers: every try times out
    start({ attempts: 2, timeoutMs: 100 });
    await waitFor('the first timeout', () => metrics.counts.failed.length === 1);
    queue.advance(200); // the retry wait: never less than twice the timeout
    await waitFor('a dead letter', () => queue.dead.length === 1);
    expect(queue.dead[0]).toMatchObject({ reason: 'timeout after 100 ms', event: { deliveries: 2 } });
    expect(queue.entries).toEqual([]);
    expect(metrics.counts).toMatchObject({ delivered: 0, retried: 1, failed: ['none', 'none'], deadLettered: 1 });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: expect.stringMatching(/last try.*dead letters/) });
    expect(receiver.posts).toHaveLength(2);
  });

  it('keeps at most WEBHOOK_CONCURRENCY posts in flight, and delivers the rest as slots free up', async () => {
    let open = 0;
    let most = 0;
    receiver.answer = (_req, res) => {
      most = Math.max(most, ++open);
      setTimeout(() => {
        open--;
        res.statusCode = 200;
        res.end();
      }, 20);
    };
    for (let i = 0; i < 9; i++) queued(queue);
    start({ concurrency: 2, timeoutMs: 2000 });
    await waitFor('nine deliveries', () => queue.entries.length === 0);
    expect(receiver.posts).toHaveLength(9);
    expect(most).toBe(2);
  });

  it('waits out a queue that does not answer, warning, and delivers once it answers again', async () => {
    queue.failing = new Error('Connection is closed.');
    queued(queue);
    start();
    await waitFor('a warning', () => lines.some((l) => l.msg.includes('queue unavailable')));
    queue.failing = undefined;
    await waitFor('the delivery', () => queue.entries.length === 0);
    expect(lines.find((l) => l.msg.includes('queue unavailable'))).toMatchObject({ level: 'warn', obj: { err: { message: 'Connection is closed.' } } });
    expect(lines.some((l) => l.msg.includes('answers again'))).toBe(true);
  });

  it('an ack the queue refuses leaves the entry for a later try (at least once), without a crash', async () => {
    queued(queue);
    const ack = queue.ack.bind(queue);
    let refusals = 1;
    queue.ack = async (event: QueuedEvent) => {
      if (refusals-- > 0) throw new Error('READONLY');
      return ack(event);
    };
    start();
    await waitFor('the refused ack', () => lines.some((l) => l.msg.includes('interrupted by the queue')));
    queue.advance(4000);
    await waitFor('acknowledged on the second try', () => queue.entries.length === 0);
    expect(receiver.posts).toHaveLength(2);
  });

  it('sweeps expiries on its timer, again at once while batches come back full', async () => {
    queue.sweepAnswers = [100, 100, 7];
    start({ expiryScanMs: 30 });
    await waitFor('three sweeps', () => queue.sweeps.length >= 3);
    expect(queue.sweeps.slice(0, 3).every((t) => Math.abs(t - Date.now()) < 5000)).toBe(true);
    await deliverer!.stop();
    const after = queue.sweeps.length;
    await new Promise((resolve) => setTimeout(resolve, 100)); // stopped: no sweep may follow
    expect(queue.sweeps).toHaveLength(after);
  });

  it('stop() waits for the post in flight, and takes nothing afterwards', async () => {
    let release: (() => void) | undefined;
    receiver.answer = (_req, res) => {
      release = () => res.writeHead(200).end();
    };
    queued(queue);
    const d = start({ timeoutMs: 5000 });
    await waitFor('the post to arrive', () => release !== undefined);
    const stopped = d.stop();
    queued(queue);
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release!();
    await stopped;
    expect(queue.entries.map((e) => e.deliveries)).toEqual([0]); // the first acknowledged, the second untouched
  });

  it('never logs the payload, the custid, the URL or its query, or a secret', async () => {
    await targets.set(ALICE, { url: `${receiver.url}/alice?key=account-token`, secret: ACCOUNT_SECRET, created: 1 });
    receiver.answer = answerStatus(500);
    queued(queue, 'secret.created', ALICE);
    queued(queue, 'secret.created');
    start({ attempts: 1 });
    await waitFor('two dead letters', () => queue.dead.length === 2);
    const text = JSON.stringify(lines);
    for (const leak of [ALICE, 'token', receiver.url, INSTANCE_SECRET, ACCOUNT_SECRET, '"data"', '1765148000']) expect(text).not.toContain(leak);
  });
});

describe('retry wait', () => {
  const s = { retryDelayMs: 10_000, timeoutMs: 5000 };
  it('doubles from WEBHOOK_RETRY_DELAY, at most an hour, never below twice the timeout', () => {
    expect([1, 2, 3, 4].map((d) => retryWaitMs(d, s))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryWaitMs(12, s)).toBe(3600_000);
    expect(retryWaitMs(50, s)).toBe(3600_000);
    expect(retryWaitMs(1, { retryDelayMs: 1000, timeoutMs: 5000 })).toBe(10_000);
    expect(retryWaitMs(1, { retryDelayMs: 1000, timeoutMs: 60_000 })).toBe(120_000);
  });
});
