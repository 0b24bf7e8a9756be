// The webhook queue on Redis: a stream read by one consumer group (`deliver`) that every instance joins, so an entry
// is held by one worker at a time, acknowledged and deleted after a 2xx, handed out again after its backoff (XPENDING
// + XCLAIM with a minimum idle time, so two instances never both take it), and moved to a dead-letter list after its
// last try. The accounts' own endpoints live beside it (docs/webhooks.md).
import type {
  AccountWebhook,
  DeadLetter,
  QueuedEvent,
  WebhookEventType,
  WebhookQueue,
  WebhookQueueStatus,
  WebhookTargets,
} from '../domain/webhook-queue.js';
import { decodeFacts, encodeFacts, EVENT_FIELD } from './redis-journal.js';
import type { EventRecorder } from './redis-event-recorder.js';
import type { OtsRedis } from './redis-client.js';
import { read, type Waits } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

/** The consumer group every instance reads with. */
export const DELIVERY_GROUP = 'deliver';
/** Entries held and not yet acknowledged are looked through this many at a time, at most this many pages a take. */
const PENDING_PAGE = 100;
const PENDING_PAGES = 5;

type StreamEntry = [id: string, fields: string[]];

/** A dead letter as stored: the entry's fields (with its message id and time), why, and when. */
interface StoredLetter {
  fields: string[];
  reason: string;
  failedAt: number;
}

/** The entry's time: its id's milliseconds (or, replayed, the first entry's). */
function entryTime(id: string): number {
  return Number(id.split('-')[0]);
}

function eventOf([id, flat]: StreamEntry, deliveries: number): QueuedEvent {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return {
    id,
    messageId: h[EVENT_FIELD.messageId] ?? `msg_${id}`,
    target: h[EVENT_FIELD.target] ?? '',
    type: h[EVENT_FIELD.type] as WebhookEventType,
    at: h[EVENT_FIELD.at] !== undefined ? Number(h[EVENT_FIELD.at]) : entryTime(id),
    facts: decodeFacts(h),
    deliveries,
  };
}

/** The entry's fields for a replay: the same message id and time as the first time. */
function fieldsOf(event: QueuedEvent): string[] {
  const E = EVENT_FIELD;
  return [E.type, event.type, E.target, event.target, E.messageId, event.messageId, E.at, String(event.at), ...encodeFacts(event.facts)];
}

export class RedisWebhookQueue implements WebhookQueue {
  private readonly stream: string;
  private groupReady = false;

  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly waits: Waits,
    private readonly events: EventRecorder,
  ) {
    this.stream = keys.webhookEvents();
  }

  /** Creates the group (reading from the stream's start) when it is missing: a first start, or a Redis that lost it. */
  private async withGroup<T>(step: () => Promise<T>): Promise<T> {
    if (!this.groupReady) await this.createGroup();
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOGROUP'))) throw err;
      await this.createGroup();
      return step();
    }
  }

  private async createGroup(): Promise<void> {
    try {
      await read(this.redis.xgroup('CREATE', this.stream, DELIVERY_GROUP, '0', 'MKSTREAM'), this.waits);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
    }
    this.groupReady = true;
  }

  async takeNew(consumer: string, count: number): Promise<QueuedEvent[]> {
    const reply = (await this.withGroup(() =>
      read(this.redis.xreadgroup('GROUP', DELIVERY_GROUP, consumer, 'COUNT', count, 'STREAMS', this.stream, '>'), this.waits),
    )) as [string, StreamEntry[]][] | null;
    return (reply?.[0]?.[1] ?? []).map((entry) => eventOf(entry, 1));
  }

  async takeDue(consumer: string, count: number, waitMs: (deliveries: number) => number): Promise<QueuedEvent[]> {
    const taken: QueuedEvent[] = [];
    // Oldest first: older entries wait longer (more tries), so the due ones may lie behind a page of not-yet-due ones.
    let start = '-';
    for (let page = 0; page < PENDING_PAGES && taken.length < count; page++) {
      const from = start;
      const pending = (await this.withGroup(() =>
        read(this.redis.xpending(this.stream, DELIVERY_GROUP, 'IDLE', waitMs(1), from, '+', PENDING_PAGE), this.waits),
      )) as [string, string, number, number][];
      for (const [id, , idle, deliveries] of pending) {
        if (taken.length >= count) break;
        const wait = waitMs(deliveries);
        if (idle < wait) continue;
        // XCLAIM checks the idle time again: of two instances racing for the entry, only the first gets it.
        const claimed = (await read(this.redis.xclaim(this.stream, DELIVERY_GROUP, consumer, wait, id), this.waits)) as (StreamEntry | null)[];
        const entry = claimed[0];
        if (entry) taken.push(eventOf(entry, deliveries + 1));
      }
      if (pending.length < PENDING_PAGE) break;
      start = `(${pending.at(-1)![0]}`;
    }
    return taken;
  }

  async ack(event: QueuedEvent): Promise<void> {
    await read(this.redis.otsWebhookAck(this.stream, DELIVERY_GROUP, event.id), this.waits);
  }

  async deadLetter(event: QueuedEvent, reason: string): Promise<void> {
    const letter: StoredLetter = { fields: fieldsOf(event), reason, failedAt: Date.now() };
    await read(this.redis.otsWebhookDeadLetter(this.stream, this.keys.webhookDead(), DELIVERY_GROUP, event.id, JSON.stringify(letter)), this.waits);
  }

  async sweepExpired(nowMs: number, limit: number): Promise<number> {
    const [expiring, around] = [this.keys.webhookExpiring(), this.keys.secretAround()];
    if (this.events.inScript) {
      const keys = [expiring, this.stream, this.keys.webhookTargets()] as const;
      return read(this.redis.otsSweepExpired(...keys, nowMs, limit, this.events.wanted, this.keys.receipt(''), ...around), this.waits);
    }
    // Cluster: the receipts are in other slots. Whoever removes an expiry first reports it (ZREM answers 1 once).
    const due = await read(this.redis.zrangebyscore(expiring, '-inf', nowMs, 'LIMIT', 0, limit), this.waits);
    for (const metadataKey of due) {
      if ((await read(this.redis.zrem(expiring, metadataKey), this.waits)) !== 1) continue;
      const receiptKey = this.keys.receipt(metadataKey);
      const found = await read(this.redis.otsExpiredFacts(receiptKey, this.keys.receipt(''), metadataKey, ...around), this.waits);
      if (!found) continue;
      const [custid, facts] = found;
      if (typeof facts === 'number') await read(this.redis.zadd(expiring, nowMs + facts, metadataKey), this.waits);
      else await this.events.appendFacts('secret.expired', custid, facts);
    }
    return due.length;
  }

  async forgetIdleConsumers(idleMs: number): Promise<number> {
    let consumers: WebhookQueueStatus['consumers'];
    try {
      consumers = await read(this.consumers(), this.waits);
    } catch (err) {
      // No queue yet (no endpoint was ever set): nobody to forget, and nothing is made for it.
      if (err instanceof Error && /^(ERR no such key|NOGROUP)/.test(err.message)) return 0;
      throw err;
    }
    // A consumer that holds nothing loses nothing when deleted; a live one idle this long takes nothing meanwhile and
    // is made again by its next read.
    const idle = consumers.filter((c) => c.pending === 0 && c.idleMs > idleMs);
    for (const c of idle) await read(this.redis.xgroup('DELCONSUMER', this.stream, DELIVERY_GROUP, c.name), this.waits);
    return idle.length;
  }

  /** The group's workers: name, entries held, ms since last seen. */
  private async consumers(): Promise<WebhookQueueStatus['consumers']> {
    const raw = (await this.redis.xinfo('CONSUMERS', this.stream, DELIVERY_GROUP)) as (string | number)[][];
    return raw.map((flat) => {
      const h: Record<string, string | number> = {};
      for (let i = 0; i < flat.length; i += 2) h[String(flat[i])] = flat[i + 1]!;
      return { name: String(h.name), pending: Number(h.pending), idleMs: Number(h.idle) };
    });
  }

  async status(): Promise<WebhookQueueStatus> {
    const [queued, oldest, deadLetters, list] = await this.withGroup(() =>
      read(
        Promise.all([this.redis.xlen(this.stream), this.redis.xrange(this.stream, '-', '+', 'COUNT', 1), this.redis.llen(this.keys.webhookDead()), this.consumers()]),
        this.waits,
      ),
    );
    return {
      queued,
      pending: list.reduce((sum, c) => sum + c.pending, 0),
      oldestAgeMs: oldest[0] ? Math.max(0, Date.now() - entryTime(oldest[0][0])) : null,
      deadLetters,
      consumers: list,
    };
  }

  async deadLetters(max: number): Promise<DeadLetter[]> {
    const raw = await read(this.redis.lrange(this.keys.webhookDead(), -max, -1), this.waits);
    return raw.reverse().map((text) => {
      const letter = JSON.parse(text) as StoredLetter;
      return { event: eventOf(['0-0', letter.fields], 0), reason: letter.reason, failedAt: letter.failedAt };
    });
  }

  async replay(max: number): Promise<number> {
    return read(this.redis.otsWebhookReplay(this.keys.webhookDead(), this.stream, max), this.waits);
  }
}

/** The accounts' own endpoints: a hash each, and the set of custids that have one (which the scripts read). */
export class RedisWebhookTargets implements WebhookTargets {
  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly waits: Waits,
  ) {}

  async get(custid: string): Promise<AccountWebhook | null> {
    const h = await read(this.redis.hgetall(this.keys.webhookTarget(custid)), this.waits);
    if (!h.url || !h.secret) return null;
    return { url: h.url, secret: h.secret, created: Number(h.created) };
  }

  async set(custid: string, target: AccountWebhook): Promise<void> {
    const multi = this.redis.multi();
    multi.hset(this.keys.webhookTarget(custid), { url: target.url, secret: target.secret, created: String(target.created) });
    multi.sadd(this.keys.webhookTargets(), custid);
    await read(multi.exec(), this.waits);
  }

  async remove(custid: string): Promise<boolean> {
    const multi = this.redis.multi();
    multi.del(this.keys.webhookTarget(custid));
    multi.srem(this.keys.webhookTargets(), custid);
    const replies = await read(multi.exec(), this.waits);
    return replies?.[0]?.[1] === 1;
  }

  async list(): Promise<string[]> {
    return read(this.redis.smembers(this.keys.webhookTargets()), this.waits);
  }
}
