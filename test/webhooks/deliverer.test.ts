// The delivery worker on the memory store's real queue (on a clock the tests move) and a real receiver on loopback:
// signed posts verified by the standardwebhooks package, acknowledgement after a 2xx only, retries after the backoff,
// the dead letters, bounded concurrency, queue outages waited out, the expiry sweep, and log lines without the
// payload, the custid, the URL's query or the secret.
import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsService, type Actor } from '../../src/domain/secrets-service.js';
import { WEBHOOK_EVENT_TYPES, type JournalSettings, type WebhookEventType, type WebhookQueue } from '../../src/domain/webhook-queue.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { DeliveryMetrics, FailureClass } from '../../src/webhooks/delivery-metrics.js';
import { WebhookDeliverer, type DeliverySettings } from '../../src/webhooks/deliverer.js';
import { retryWaitMs } from '../../src/webhooks/retry-schedule.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { testConfig } from '../support/app.js';
import { answerStatus, startReceiver, waitFor, type Receiver } from './receiver.js';

const INSTANCE_SECRET = newSigningSecret();
const ACCOUNT_SECRET = newSigningSecret();
const ALICE = 'alice@example.com';
const alice: Actor = { custid: ALICE, isAccount: true };
const bob: Actor = { custid: 'bob@example.com', isAccount: true };
const ALL: JournalSettings = { instanceEvents: WEBHOOK_EVENT_TYPES };
const silent = { error: () => {} };

class CountingMetrics implements DeliveryMetrics {
  counts = { delivered: 0, retried: 0, deadLettered: 0, failed: [] as FailureClass[], ages: [] as (number | null)[] };
  delivered = () => void this.counts.delivered++;
  failed = (c: FailureClass) => void this.counts.failed.push(c);
  retried = () => void this.counts.retried++;
  deadLettered = () => void this.counts.deadLettered++;
  queueAge = (ms: number | null) => void this.counts.ages.push(ms);
}

/** The queue, with a switch for an outage (every call rejects) and a count of acknowledgements to refuse. */
function faulty(queue: WebhookQueue, faults: { down?: Error; refuseAcks: number }): WebhookQueue {
  return new Proxy(queue, {
    get(target, name) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (faults.down) return Promise.reject(faults.down);
        if (name === 'ack' && faults.refuseAcks-- > 0) return Promise.reject(new Error('READONLY'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('webhook deliverer (memory store queue)', () => {
  let receiver: Receiver;
  let clockMs: number;
  let store: MemoryStore;
  let service: SecretsService;
  let faults: { down?: Error; refuseAcks: number };
  let metrics: CountingMetrics;
  let lines: { level: string; obj: Record<string, unknown>; msg: string }[];
  let deliverer: WebhookDeliverer | undefined;
  const held = new Set<ServerResponse>();

  const log = {
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
  const queue = () => store.webhooks.queue;
  const queued = async () => (await queue().status()).queued;
  const failures = () => metrics.counts.failed.length;

  function open(journal: JournalSettings = ALL): void {
    store = new MemoryStore(() => clockMs, journal);
    const config = testConfig();
    service = new SecretsService(store.secrets, config, [config.secret], silent, {}, () => clockMs);
  }
  function start(over: Partial<DeliverySettings> = {}): WebhookDeliverer {
    const settings: DeliverySettings = {
      instance: { url: `${receiver.url}/instance?token=query-token`, secret: INSTANCE_SECRET },
      timeoutMs: 2000,
      attempts: 3,
      retryDelayMs: 10_000,
      concurrency: 4,
      expiryScanMs: 60_000,
      ...over,
    };
    const webhooks = { queue: faulty(store.webhooks.queue, faults), targets: store.webhooks.targets };
    deliverer = new WebhookDeliverer({ webhooks, settings, log, metrics, now: () => clockMs });
    deliverer.start();
    return deliverer;
  }
  const verified = (secret: string, i: number) => new Webhook(secret).verify(receiver.posts[i]!.body, receiver.posts[i]!.headers as Record<string, string>) as { type: WebhookEventType };

  beforeEach(async () => {
    receiver = await startReceiver();
    clockMs = Date.now();
    faults = { refuseAcks: 0 };
    metrics = new CountingMetrics();
    lines = [];
    open();
  });
  afterEach(async () => {
    for (const res of held) res.destroy();
    held.clear();
    await deliverer?.stop();
    deliverer = undefined;
    await store.close();
    await receiver.close();
  });

  it('posts each event once to the instance endpoint, signed, and acknowledges it after the 2xx', async () => {
    const one = await service.share({ secret: 'one' }, alice);
    await service.reveal(one.receipt.secretKey, undefined);
    const two = await service.share({ secret: 'two' }, alice);
    await service.burn(two.receipt.metadataKey, undefined, alice);
    const d = start();
    expect(d.consumer).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{8}$`));
    await waitFor('four posts acknowledged', async () => (await queued()) === 0 && receiver.posts.length === 4);
    expect(receiver.posts.map((_, i) => verified(INSTANCE_SECRET, i).type).sort()).toEqual(['secret.burned', 'secret.created', 'secret.created', 'secret.revealed']);
    expect(new Set(receiver.posts.map((p) => p.headers['webhook-id'])).size).toBe(4);
    expect(receiver.posts.every((p) => p.path === '/instance?token=query-token')).toBe(true);
    expect(metrics.counts).toMatchObject({ delivered: 4, retried: 0, failed: [] });
    const delivered = lines.filter((l) => l.msg === 'webhook delivered').map((l) => l.obj);
    expect(delivered).toContainEqual({ type: 'secret.revealed', shortid: one.receipt.metadataKey.slice(0, 8), target: 'instance', attempt: 1, status: 204 });
  });

  it("posts an account's events to its own endpoint with its own secret; a removed endpoint's events are dropped", async () => {
    open({ instanceEvents: [] });
    await store.webhooks.targets.set(ALICE, { url: `${receiver.url}/alice`, secret: ACCOUNT_SECRET, created: 1 });
    await store.webhooks.targets.set(bob.custid, { url: `${receiver.url}/bob`, secret: ACCOUNT_SECRET, created: 1 });
    await service.share({ secret: 'for alice' }, alice);
    await service.share({ secret: 'for bob' }, bob);
    await store.webhooks.targets.remove(bob.custid);
    start({ instance: undefined });
    await waitFor('both entries gone', async () => (await queued()) === 0 && lines.length === 2);
    expect(receiver.posts.map((p) => p.path)).toEqual(['/alice']);
    expect(verified(ACCOUNT_SECRET, 0)).toMatchObject({ type: 'secret.created', data: { custid: ALICE } });
    expect(() => verified(INSTANCE_SECRET, 0)).toThrow();
    expect(lines.find((l) => l.msg.includes('dropped'))?.obj).toMatchObject({ target: 'account', type: 'secret.created' });
  });

  it('tries a failing endpoint again once the backoff has passed, with the same webhook-id, until a 2xx', async () => {
    const answers = [503, 500];
    receiver.answer = (req, res, post) => answerStatus(answers.shift() ?? 200)(req, res, post);
    await service.share({ secret: 'retried' }, alice);
    const d = start({ attempts: 5 });
    expect([1, 2, 3].map(d.waitMs)).toEqual([10_000, 20_000, 40_000]);
    await waitFor('the first failure', () => failures() === 1);
    clockMs += 9_999;
    await waitFor('a poll after the first failure', async () => (await queue().status()).consumers.length === 1);
    clockMs += 1;
    await waitFor('the second failure', () => failures() === 2);
    clockMs += 20_000;
    await waitFor('the third try acknowledged', async () => (await queued()) === 0);
    const ids = receiver.posts.map((p) => p.headers['webhook-id']);
    expect(ids).toEqual([ids[0], ids[0], ids[0]]);
    expect(metrics.counts).toMatchObject({ delivered: 1, retried: 2, failed: ['5xx', '5xx'], deadLettered: 0 });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.obj)).toEqual([
      expect.objectContaining({ attempt: 1, status: 503, retryInMs: 10_000 }),
      expect.objectContaining({ attempt: 2, status: 500, retryInMs: 20_000 }),
    ]);
  });

  it('moves an event to the dead letters after its last try, saying why, and never posts it again', async () => {
    await service.share({ secret: 'doomed' }, alice);
    receiver.answer = (_req, res) => held.add(res); // never answers: every try times out
    start({ attempts: 2, timeoutMs: 100, retryDelayMs: 50 });
    await waitFor('the first timeout', () => failures() === 1);
    clockMs += 200; // the retry wait: never less than twice the timeout
    await waitFor('a dead letter', async () => (await queue().status()).deadLetters === 1);
    const [dead] = await queue().deadLetters(10);
    expect(dead).toMatchObject({ reason: 'timeout after 100 ms', event: { deliveries: 2, type: 'secret.created' } });
    expect(await queued()).toBe(0);
    expect(metrics.counts).toMatchObject({ delivered: 0, retried: 1, failed: ['none', 'none'], deadLettered: 1 });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: expect.stringMatching(/last try.*dead letters/) });
    expect(receiver.posts.length).toBeLessThanOrEqual(2); // a 100 ms try may give up before its post arrives
  });

  it('delivers a replayed dead letter under its first webhook-id', async () => {
    receiver.answer = answerStatus(500);
    await service.share({ secret: 'replayed' }, alice);
    start({ attempts: 1 });
    await waitFor('a dead letter', async () => (await queue().status()).deadLetters === 1);
    expect((await queue().deadLetters(1))[0]!.reason).toBe('HTTP 500');
    receiver.answer = answerStatus(200);
    expect(await queue().replay(10)).toBe(1);
    await waitFor('the replay delivered', () => metrics.counts.delivered === 1);
    expect(receiver.posts).toHaveLength(2);
    expect(receiver.posts[1]!.headers['webhook-id']).toBe(receiver.posts[0]!.headers['webhook-id']);
    expect(await queue().status()).toMatchObject({ queued: 0, deadLetters: 0 });
  });

  it('keeps at most WEBHOOK_CONCURRENCY posts in flight, and delivers the rest as slots free up', async () => {
    let open = 0;
    let most = 0;
    receiver.answer = (_req, res) => {
      most = Math.max(most, ++open);
      setTimeout(() => {
        open--;
        res.writeHead(200).end();
      }, 20);
    };
    for (let i = 0; i < 9; i++) await service.share({ secret: `s${i}` }, alice);
    start({ concurrency: 2 });
    await waitFor('nine deliveries', async () => (await queued()) === 0);
    expect(receiver.posts).toHaveLength(9);
    expect(most).toBe(2);
  });

  it('waits out a queue that does not answer, warning, and delivers once it answers again', async () => {
    faults.down = new Error('Connection is closed.');
    await service.share({ secret: 'during an outage' }, alice);
    start();
    await waitFor('a warning', () => lines.some((l) => l.msg.includes('queue unavailable')));
    faults.down = undefined;
    await waitFor('the delivery', async () => (await queued()) === 0);
    expect(lines.find((l) => l.msg.includes('queue unavailable'))).toMatchObject({ level: 'warn', obj: { err: { message: 'Connection is closed.' } } });
    expect(lines.some((l) => l.msg.includes('answers again'))).toBe(true);
  });

  it('an ack the queue refuses leaves the entry for a later try (at least once), without a crash', async () => {
    faults.refuseAcks = 1;
    await service.share({ secret: 'acked late' }, alice);
    start();
    await waitFor('the refused ack', () => lines.some((l) => l.msg.includes('interrupted by a store error')));
    clockMs += 10_000;
    await waitFor('acknowledged on the second try', async () => (await queued()) === 0);
    expect(receiver.posts).toHaveLength(2);
    expect(receiver.posts[1]!.headers['webhook-id']).toBe(receiver.posts[0]!.headers['webhook-id']);
  });

  it('reports expiries from its sweep timer, all of them when full batches come back, each once', async () => {
    open({ instanceEvents: ['secret.expired'] });
    for (let i = 0; i < 205; i++) await service.share({ secret: `e${i}`, ttl: '60' }, alice);
    const sweep = store.webhooks.queue.sweepExpired.bind(store.webhooks.queue);
    const answers: number[] = [];
    store.webhooks.queue.sweepExpired = async (nowMs, limit) => {
      const n = await sweep(nowMs, limit);
      answers.push(n);
      return n;
    };
    clockMs += 61_000;
    start({ expiryScanMs: 20, concurrency: 16 });
    // A post that timed out on a busy machine is retried once its wait has passed on the store's clock.
    let failed = 0;
    await waitFor('every expiry delivered', async () => {
      if (failures() > failed) [failed, clockMs] = [failures(), clockMs + 10_000];
      return metrics.counts.delivered >= 205 && (await queued()) === 0;
    });
    expect(answers.slice(0, 3)).toEqual([100, 100, 5]);
    expect(receiver.posts.map((_, i) => verified(INSTANCE_SECRET, i).type).every((t) => t === 'secret.expired')).toBe(true);
    // Each expiry recorded once: one message id per secret (a post retried after a timeout keeps its id).
    expect(new Set(receiver.posts.map((p) => p.headers['webhook-id'])).size).toBe(205);
    expect(new Set(receiver.posts.map((p) => (JSON.parse(p.body) as { data: { shortid: string } }).data.shortid)).size).toBe(205);
  });

  it('stop() waits for the post in flight, and takes nothing afterwards', async () => {
    let release: (() => void) | undefined;
    receiver.answer = (_req, res) => {
      release = () => res.writeHead(200).end();
    };
    await service.share({ secret: 'in flight' }, alice);
    const d = start({ timeoutMs: 5000 });
    await waitFor('the post to arrive', () => release !== undefined);
    const stopped = d.stop();
    await service.share({ secret: 'after stop' }, alice);
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release!();
    await stopped;
    expect(await queue().status()).toMatchObject({ queued: 1, pending: 0 }); // the first acknowledged, the second untouched
  });

  it('never logs the payload, the custid, the URL or its query, or a secret', async () => {
    await store.webhooks.targets.set(ALICE, { url: `${receiver.url}/alice?key=account-token`, secret: ACCOUNT_SECRET, created: 1 });
    receiver.answer = answerStatus(500);
    const made = await service.share({ secret: 'quiet' }, alice);
    start({ attempts: 1 });
    await waitFor('two dead letters', async () => (await queue().status()).deadLetters === 2);
    const text = JSON.stringify(lines);
    const leaks = [ALICE, 'token', receiver.url, INSTANCE_SECRET, ACCOUNT_SECRET, '"data"', String(made.receipt.created), made.receipt.secretKey, made.receipt.metadataKey];
    for (const leak of leaks) expect(text).not.toContain(leak);
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
