// The webhook queue port (src/domain/webhook-queue.ts) on each store: events recorded with the state change they
// report, one entry per target, taken by one worker at a time, handed out again after the wait, dead letters and
// replay, and each expiry reported once however many instances sweep. Runs on single Redis, Cluster and Sentinel
// (CI's topology stages) and on the memory store; the memory store runs on a fake clock.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ALICE, connectTestRedis, makeStore, STORE_KINDS, testConfig, uniquePrefix } from '../support/app.js';
import { topologyFromEnv } from '../support/topology.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { ANONYMOUS, SecretsService, type Actor } from '../../src/domain/secrets-service.js';
import { WEBHOOK_EVENT_TYPES, type JournalSettings, type QueuedEvent, type WebhookQueue } from '../../src/domain/webhook-queue.js';
import type { Store } from '../../src/domain/store.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const silent = { error: () => {} };
const alice: Actor = { custid: ALICE.email, isAccount: true };
const ALL: JournalSettings = { instanceEvents: WEBHOOK_EVENT_TYPES };
const noWait = () => 0;

describe.each(STORE_KINDS)('webhook queue (%s)', (kind) => {
  const opened: Store[] = [];
  let clockMs = Date.now();
  afterAll(async () => Promise.all(opened.map((s) => s.close())));

  /** A store (and, for Redis, `instances` more on the same keys) and a service over the first. */
  async function setup(journal: JournalSettings = ALL, instances = 1, ttlMin = 60) {
    const prefix = uniquePrefix();
    const stores: Store[] = [];
    for (let i = 0; i < instances; i++) {
      stores.push(kind === 'memory' && i > 0 ? stores[0]! : await makeStore(kind, () => clockMs, prefix, journal));
    }
    opened.push(...new Set(stores));
    const config = testConfig({ TTL_MIN: String(ttlMin) });
    const service = new SecretsService(stores[0]!.secrets, config, [config.secret], silent, {}, () => clockMs);
    return { stores, service, queue: stores[0]!.webhooks.queue, prefix };
  }

  const types = (events: QueuedEvent[]) => events.map((e) => `${e.type}→${e.target}`);

  it('records created, revealed and burned with the change, for the instance-wide endpoint; never a key', async () => {
    const { service, queue } = await setup();
    const one = await service.share({ secret: 'value one', ttl: '3600' }, alice);
    const two = await service.share({ secret: 'value two', passphrase: 'open sesame' }, alice);
    await service.reveal(one.receipt.secretKey, undefined);
    await service.reveal(two.receipt.secretKey, 'open sesame');
    const three = await service.share({ secret: 'value three' }, ANONYMOUS);
    await service.burn(three.receipt.metadataKey, undefined, ANONYMOUS);

    const events = await queue.takeNew('w1', 100);
    expect(types(events)).toEqual([
      'secret.created→*',
      'secret.created→*',
      'secret.revealed→*',
      'secret.revealed→*',
      'secret.created→*',
      'secret.burned→*',
    ]);
    expect(events[0]!.facts).toEqual({
      shortid: one.receipt.metadataKey.slice(0, 8),
      custid: ALICE.email,
      state: 'new',
      ttl: 3600,
      created: one.receipt.created,
      updated: one.receipt.created,
    });
    expect(events[2]!.facts).toMatchObject({ state: 'received', shortid: one.receipt.metadataKey.slice(0, 8) });
    expect(events[5]!.facts).toMatchObject({ state: 'burned', custid: 'anon' });
    const text = JSON.stringify(events);
    for (const made of [one, two, three]) {
      expect(text).not.toContain(made.receipt.secretKey);
      expect(text).not.toContain(made.receipt.metadataKey);
    }
    expect(text).not.toContain('value');
    expect(text).not.toContain('sesame');
    expect(new Set(events.map((e) => e.messageId)).size).toBe(events.length);
  });

  it('queues nothing when no endpoint wants the event; an account endpoint gets its own secrets only', async () => {
    const { stores, service, queue } = await setup({ instanceEvents: ['secret.revealed'] });
    await service.share({ secret: 'nobody listens' }, alice);
    expect(await queue.takeNew('w1', 10)).toEqual([]);

    await stores[0]!.webhooks.targets.set(ALICE.email, { url: 'http://127.0.0.1:9/hook', secret: 'whsec_x', created: 1 });
    const mine = await service.share({ secret: 'alice listens' }, alice);
    await service.share({ secret: 'anonymous' }, ANONYMOUS);
    await service.reveal(mine.receipt.secretKey, undefined);
    expect(types(await queue.takeNew('w1', 10))).toEqual(['secret.created→alice@example.com', 'secret.revealed→*', 'secret.revealed→alice@example.com']);
    expect(await stores[0]!.webhooks.targets.list()).toEqual([ALICE.email]);
    expect(await stores[0]!.webhooks.targets.remove(ALICE.email)).toBe(true);
    expect(await stores[0]!.webhooks.targets.get(ALICE.email)).toBeNull();
  });

  it('hands an entry to one worker; a failed one comes back only after its wait, to one worker; ack removes it', async () => {
    const { stores, service } = await setup(ALL, 2);
    const [a, b] = stores.map((s) => s.webhooks.queue) as [WebhookQueue, WebhookQueue];
    await service.share({ secret: 'once' }, ANONYMOUS);
    const taken = await Promise.all([a.takeNew('a', 10), b.takeNew('b', 10)]);
    expect(taken.flat()).toHaveLength(1);
    const [event] = taken.flat();
    expect(event!.deliveries).toBe(1);

    // Not due yet: the wait is an hour.
    expect(await a.takeDue('a', 10, () => 3_600_000)).toEqual([]);
    // Due after 200 ms: of two workers racing for it, one gets it, as its second delivery, with the same message id.
    const wait = () => 200;
    if (kind === 'memory') clockMs += 300;
    const again = await vi.waitFor(
      async () => {
        const got = (await Promise.all([a.takeDue('a', 10, wait), b.takeDue('b', 10, wait)])).flat();
        expect(got.length).toBeGreaterThan(0);
        return got;
      },
      { timeout: 3000, interval: 50 },
    );
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: event!.id, messageId: event!.messageId, deliveries: 2 });
    expect((await a.status()).queued).toBe(1);
    await a.ack(again[0]!);
    expect(await a.status()).toMatchObject({ queued: 0, pending: 0, oldestAgeMs: null });
    expect(await b.takeDue('b', 10, noWait)).toEqual([]);
  });

  it('finds a due retry behind many older entries that are not due yet', async () => {
    const { service, queue } = await setup({ instanceEvents: ['secret.created'] });
    for (let i = 0; i < 150; i++) await service.share({ secret: `old ${i}` }, ANONYMOUS);
    await queue.takeNew('w', 150);
    expect(await queue.takeDue('w', 150, noWait)).toHaveLength(150); // tried twice now: their next wait is long
    const young = await service.share({ secret: 'young' }, ANONYMOUS);
    await queue.takeNew('w', 1); // tried once: due at once
    const due = await queue.takeDue('w', 1, (deliveries) => (deliveries === 1 ? 0 : 3_600_000));
    expect(due.map((e) => e.facts.shortid)).toEqual([young.receipt.metadataKey.slice(0, 8)]);
  });

  it('moves a given-up entry to the dead letters; replay queues it again with the same message id', async () => {
    const { service, queue } = await setup();
    const made = await service.share({ secret: 'unlucky' }, alice);
    const [event] = await queue.takeNew('w1', 1);
    await queue.deadLetter(event!, 'HTTP 500');
    expect(await queue.status()).toMatchObject({ queued: 0, deadLetters: 1 });
    const [letter] = await queue.deadLetters(10);
    expect(letter).toMatchObject({ reason: 'HTTP 500', event: { messageId: event!.messageId, type: 'secret.created' } });
    expect(letter!.event.facts.shortid).toBe(made.receipt.metadataKey.slice(0, 8));

    expect(await queue.replay(100)).toBe(1);
    expect(await queue.status()).toMatchObject({ queued: 1, deadLetters: 0 });
    const [back] = await queue.takeNew('w2', 1);
    expect(back).toMatchObject({ messageId: event!.messageId, at: event!.at, type: 'secret.created', target: '*', deliveries: 1 });
    expect(back!.facts).toEqual(event!.facts);
  });

  it('forgets stopped workers that hold nothing, never one that holds an entry; makes no queue for it', async () => {
    const { service, queue, prefix } = await setup();
    expect(await queue.forgetIdleConsumers(0)).toBe(0);
    if (kind === 'redis') {
      const redis = await connectTestRedis();
      expect(await redis.exists(`${prefix}{webhooks}:events`)).toBe(0);
      redis.disconnect();
    }
    await service.share({ secret: 'one' }, ANONYMOUS);
    await service.share({ secret: 'two' }, ANONYMOUS);
    const [done] = await queue.takeNew('done', 1);
    await queue.ack(done!);
    await queue.takeNew('holder', 1);
    await queue.forgetIdleConsumers(-1);
    expect((await queue.status()).consumers.map((c) => c.name)).toEqual(['holder']);
  });

  it.runIf(kind === 'redis')('goes on when Redis lost the queue and its group (a restart without persistence)', async () => {
    const { service, queue, prefix } = await setup();
    await service.share({ secret: 'before' }, ANONYMOUS);
    expect(await queue.takeNew('w', 10)).toHaveLength(1);
    const redis = await connectTestRedis();
    expect(await redis.del(`${prefix}{webhooks}:events`)).toBe(1);
    redis.disconnect();
    const after = await service.share({ secret: 'after' }, ANONYMOUS);
    const [event] = await queue.takeNew('w', 10);
    expect(event!.facts.shortid).toBe(after.receipt.metadataKey.slice(0, 8));
  });

  it('reports an expiry once however many instances sweep, and never a secret that was read', async () => {
    const { stores, service, queue, prefix } = await setup(ALL, 3, 1);
    const expiring = await service.share({ secret: 'left unread', ttl: '1' }, alice);
    const read = await service.share({ secret: 'read in time', ttl: '1' }, alice);
    await service.reveal(read.receipt.secretKey, undefined);
    await queue.takeNew('w', 100); // created ×2, revealed
    if (kind === 'redis' && topologyFromEnv() !== 'cluster') {
      // Outside Cluster the reveal's script forgets the expiry it will never have to report.
      const redis = await connectTestRedis();
      expect(await redis.zrange(`${prefix}{webhooks}:expiring`, 0, -1)).toEqual([expiring.receipt.metadataKey]);
      redis.disconnect();
    }

    const sweepAll = async () => (await Promise.all(stores.map((s) => s.webhooks.queue.sweepExpired(clockMs, 100)))).reduce((a, b) => a + b, 0);
    expect(await sweepAll()).toBe(0); // not ended yet
    if (kind === 'memory') clockMs += 1500;
    const reported: QueuedEvent[] = [];
    await vi.waitFor(
      async () => {
        clockMs = Math.max(clockMs, Date.now());
        await sweepAll();
        reported.push(...(await queue.takeNew('w', 100)));
        expect(reported.length).toBeGreaterThan(0);
      },
      { timeout: 5000, interval: 100 },
    );
    await sweepAll();
    reported.push(...(await queue.takeNew('w', 100)));
    expect(types(reported)).toEqual(['secret.expired→*']);
    expect(reported[0]!.facts).toMatchObject({ shortid: expiring.receipt.metadataKey.slice(0, 8), state: 'expired', updated: expiring.receipt.created + 1 });
  });
});

describe.runIf(topologyFromEnv() === 'cluster')('webhook queue on Redis Cluster', () => {
  it('records right after the change; an event that cannot be recorded is reported and the change stands', async () => {
    const prefix = uniquePrefix();
    const lost: string[] = [];
    const redis = await connectTestRedis();
    const store = new RedisStore(redis, prefix, { journal: ALL, lostEvent: (type) => lost.push(type) });
    const config = testConfig();
    const service = new SecretsService(store.secrets, config, [config.secret], silent);
    // The {webhooks} slot refuses the append (a key of the wrong type): the user's create and reveal still succeed.
    await redis.set(`${prefix}{webhooks}:events`, 'not a stream');
    const made = await service.share({ secret: 'still stored' }, alice);
    expect((await service.reveal(made.receipt.secretKey, undefined)).value).toBe('still stored');
    expect(lost).toEqual(['secret.created', 'secret.revealed']);
    await redis.del(`${prefix}{webhooks}:events`);
    const next = await service.share({ secret: 'recorded again' }, alice);
    expect((await store.webhooks.queue.takeNew('w', 10)).map((e) => e.facts.shortid)).toEqual([next.receipt.metadataKey.slice(0, 8)]);
    await store.close();
  });
});

describe('webhook queue, memory store', () => {
  it('looks again at a secret still there when its whole-second TTL ended, and reports it once, after the others stay', async () => {
    let clockMs = 1_700_000_000_600; // created in the middle of a second: the receipt says …000, the secret lives 1 s from …600
    const store = new MemoryStore(() => clockMs, ALL);
    const service = new SecretsService(store.secrets, testConfig({ TTL_MIN: '1' }), [testConfig().secret], silent, {}, () => clockMs);
    const short = await service.share({ secret: 'one second', ttl: '1' }, ANONYMOUS);
    const long = await service.share({ secret: 'an hour', ttl: '3600' }, ANONYMOUS);
    const queue = store.webhooks.queue;
    await queue.takeNew('w', 10);
    const expired = async () => (await queue.takeNew('w', 10)).map((e) => `${e.type} ${e.facts.shortid}`);
    clockMs += 500; // the receipt's TTL has ended, the secret's has not
    expect(await queue.sweepExpired(clockMs, 100)).toBe(1);
    expect(await expired()).toEqual([]);
    clockMs += 1100;
    await queue.sweepExpired(clockMs, 100);
    await queue.sweepExpired(clockMs, 100);
    expect(await expired()).toEqual([`secret.expired ${short.receipt.metadataKey.slice(0, 8)}`]);
    clockMs += 3600_000;
    await queue.sweepExpired(clockMs, 100);
    expect(await expired()).toEqual([`secret.expired ${long.receipt.metadataKey.slice(0, 8)}`]);
    await store.close();
  });

  it('forgets everything on the test double reset', async () => {
    const store = new MemoryStore(Date.now, ALL);
    const service = new SecretsService(store.secrets, testConfig(), [testConfig().secret], silent);
    await service.share({ secret: 'x' }, ANONYMOUS);
    store.webhooks.queue.clear();
    expect(await store.webhooks.queue.status()).toMatchObject({ queued: 0 });
    await store.close();
  });
});
