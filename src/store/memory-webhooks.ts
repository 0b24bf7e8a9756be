// The memory store's webhook queue: the port's semantics inside this one process. An event is queued in the same
// synchronous step as the state change it reports; nothing survives the process (docs/webhooks.md).
import {
  eventFactsOf,
  targetsOf,
  type AccountWebhook,
  type DeadLetter,
  type EventFacts,
  type JournalSettings,
  type QueuedEvent,
  type WebhookEventType,
  type WebhookQueue,
  type WebhookQueueStatus,
  type WebhookTargets,
} from '../domain/webhook-queue.js';
import type { ReceiptRecord, State } from '../domain/receipt.js';

export class MemoryWebhookTargets implements WebhookTargets {
  private readonly byCustid = new Map<string, AccountWebhook>();

  has(custid: string): boolean {
    return this.byCustid.has(custid);
  }

  async get(custid: string): Promise<AccountWebhook | null> {
    return this.byCustid.get(custid) ?? null;
  }

  async set(custid: string, target: AccountWebhook): Promise<void> {
    this.byCustid.set(custid, { ...target });
  }

  async remove(custid: string): Promise<boolean> {
    return this.byCustid.delete(custid);
  }

  async list(): Promise<string[]> {
    return [...this.byCustid.keys()];
  }
}

interface Entry {
  event: Omit<QueuedEvent, 'deliveries'>;
  deliveries: number;
  holder: string;
  /** When it was queued, then when a worker last took it (ms). */
  queuedAt: number;
  takenAt: number;
}

/** What the secret store answers of a receipt whose TTL has ended: its facts if it expired unread, 'alive' if its secret is still there. */
export type ExpiryCheck = (metadataKey: string) => EventFacts | 'alive' | null;

export class MemoryWebhookQueue implements WebhookQueue {
  private readonly entries = new Map<string, Entry>();
  private dead: DeadLetter[] = [];
  /** Receipts whose expiry someone wants to hear of, by when their TTL ends (ms), soonest first. */
  private expiring: { at: number; metadataKey: string }[] = [];
  private sequence = 0;
  /** Set by the secret store that records into this queue. */
  expiryCheck: ExpiryCheck = () => null;

  constructor(
    private readonly now: () => number,
    private readonly journal: JournalSettings,
    readonly targets: MemoryWebhookTargets,
  ) {}

  /** Queues `type` for every target that wants it (called in the same step as the state change). */
  record(type: WebhookEventType, receipt: ReceiptRecord, state: State, updated: number): void {
    this.enqueue(type, eventFactsOf(receipt, state, updated));
  }

  /** Remembers to report the secret's expiry, if anyone wants to hear of it. */
  trackExpiry(receipt: ReceiptRecord): void {
    if (targetsOf('secret.expired', receipt.custid, this.journal, this.targets.has(receipt.custid)).length === 0) return;
    this.expireAt((receipt.created + receipt.ttl) * 1000, receipt.metadataKey);
  }

  /** Keeps `expiring` soonest first. */
  private expireAt(at: number, metadataKey: string): void {
    const after = this.expiring.findIndex((e) => e.at > at);
    this.expiring.splice(after < 0 ? this.expiring.length : after, 0, { at, metadataKey });
  }

  private enqueue(type: WebhookEventType, facts: EventFacts, messageId?: string, at?: number): void {
    const now = this.now();
    for (const target of targetsOf(type, facts.custid, this.journal, this.targets.has(facts.custid))) {
      const id = `${now}-${this.sequence++}`;
      const event = { id, messageId: messageId ?? `msg_${id}`, target, type, at: at ?? now, facts };
      this.entries.set(id, { event, deliveries: 0, holder: '', queuedAt: now, takenAt: 0 });
    }
  }

  async takeNew(consumer: string, count: number): Promise<QueuedEvent[]> {
    return this.take(consumer, count, (e) => e.deliveries === 0);
  }

  async takeDue(consumer: string, count: number, waitMs: (deliveries: number) => number): Promise<QueuedEvent[]> {
    const now = this.now();
    return this.take(consumer, count, (e) => e.deliveries > 0 && now - e.takenAt >= waitMs(e.deliveries));
  }

  private take(consumer: string, count: number, eligible: (e: Entry) => boolean): QueuedEvent[] {
    const taken: QueuedEvent[] = [];
    for (const entry of this.entries.values()) {
      if (taken.length >= count) break;
      if (!eligible(entry)) continue;
      Object.assign(entry, { holder: consumer, takenAt: this.now(), deliveries: entry.deliveries + 1 });
      taken.push({ ...entry.event, deliveries: entry.deliveries });
    }
    return taken;
  }

  async ack(event: QueuedEvent): Promise<void> {
    this.entries.delete(event.id);
  }

  async deadLetter(event: QueuedEvent, reason: string): Promise<void> {
    if (!this.entries.delete(event.id)) return;
    this.dead.push({ event, reason, failedAt: this.now() });
  }

  /** Follows the store's own clock (which the test double's clock moves), not `nowMs`. */
  async sweepExpired(_nowMs: number, limit: number): Promise<number> {
    const now = this.now();
    const due = this.expiring.slice(0, limit).filter((e) => e.at <= now);
    this.expiring = this.expiring.slice(due.length);
    for (const { metadataKey } of due) {
      const found = this.expiryCheck(metadataKey);
      // Still there (its TTL counts from the create's millisecond, the receipt's time in whole seconds): a second later.
      if (found === 'alive') this.expireAt(now + 1000, metadataKey);
      else if (found) this.enqueue('secret.expired', found);
    }
    return due.length;
  }

  async status(): Promise<WebhookQueueStatus> {
    const all = [...this.entries.values()];
    const consumers = new Map<string, { pending: number; idleMs: number }>();
    for (const e of all.filter((e) => e.deliveries > 0)) {
      const seen = consumers.get(e.holder) ?? { pending: 0, idleMs: Infinity };
      consumers.set(e.holder, { pending: seen.pending + 1, idleMs: Math.min(seen.idleMs, this.now() - e.takenAt) });
    }
    const oldest = all.reduce((min, e) => Math.min(min, e.queuedAt), Infinity);
    return {
      queued: all.length,
      pending: all.filter((e) => e.deliveries > 0).length,
      oldestAgeMs: all.length > 0 ? this.now() - oldest : null,
      deadLetters: this.dead.length,
      consumers: [...consumers].map(([name, c]) => ({ name, ...c })),
    };
  }

  async deadLetters(max: number): Promise<DeadLetter[]> {
    return this.dead.slice(0, max);
  }

  async replay(max: number): Promise<number> {
    const back = this.dead.slice(0, max);
    this.dead = this.dead.slice(back.length);
    for (const { event } of back) {
      const { deliveries: _tried, ...rest } = event;
      const now = this.now();
      const id = `${now}-${this.sequence++}`;
      this.entries.set(id, { event: { ...rest, id }, deliveries: 0, holder: '', queuedAt: now, takenAt: 0 });
    }
    return back.length;
  }

  /** Nothing to forget: the memory queue knows its workers only by the entries they hold. */
  async forgetIdleConsumers(): Promise<number> {
    return 0;
  }

  /** The test double's reset: forgets every queued event, dead letter and expiry to report. */
  clear(): void {
    this.entries.clear();
    this.dead = [];
    this.expiring = [];
  }
}
