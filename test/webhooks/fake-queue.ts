// A WebhookQueue in a few lines, by the port's rules (src/domain/webhook-queue.ts), until the memory store's queue
// is on this branch: entries taken once (takeNew), handed out again once their retry wait has passed (takeDue).
import type { DeadLetter, QueuedEvent, WebhookQueue, WebhookQueueStatus, WebhookTargets, AccountWebhook } from '../../src/domain/webhook-queue.js';

interface Entry {
  event: Omit<QueuedEvent, 'deliveries'>;
  deliveries: number;
  takenAt: number;
}

export class FakeQueue implements WebhookQueue {
  readonly entries: Entry[] = [];
  readonly dead: DeadLetter[] = [];
  readonly sweeps: number[] = [];
  /** What sweepExpired answers, call by call (then 0). */
  sweepAnswers: number[] = [];
  /** Set: every call rejects with it (a Redis outage). */
  failing: Error | undefined;
  private seq = 0;
  /** The queue's own clock (retry waits are counted on it): tests move it on instead of sleeping. */
  time = Date.now();

  advance(ms: number): void {
    this.time += ms;
  }

  add(event: Omit<QueuedEvent, 'id' | 'deliveries'>): void {
    this.entries.push({ event: { ...event, id: `${Date.now()}-${this.seq++}` }, deliveries: 0, takenAt: 0 });
  }

  private check(): void {
    if (this.failing) throw this.failing;
  }

  private hand(entries: Entry[]): QueuedEvent[] {
    return entries.map((e) => {
      e.deliveries++;
      e.takenAt = this.time;
      return { ...e.event, deliveries: e.deliveries };
    });
  }

  async takeNew(_consumer: string, count: number): Promise<QueuedEvent[]> {
    this.check();
    return this.hand(this.entries.filter((e) => e.deliveries === 0).slice(0, count));
  }

  async takeDue(_consumer: string, count: number, waitMs: (deliveries: number) => number): Promise<QueuedEvent[]> {
    this.check();
    return this.hand(this.entries.filter((e) => e.deliveries > 0 && this.time - e.takenAt >= waitMs(e.deliveries)).slice(0, count));
  }

  private remove(event: QueuedEvent): boolean {
    const at = this.entries.findIndex((e) => e.event.id === event.id);
    if (at >= 0) this.entries.splice(at, 1);
    return at >= 0;
  }

  async ack(event: QueuedEvent): Promise<void> {
    this.check();
    this.remove(event);
  }

  async deadLetter(event: QueuedEvent, reason: string): Promise<void> {
    this.check();
    if (this.remove(event)) this.dead.push({ event, reason, failedAt: this.time });
  }

  async sweepExpired(nowMs: number): Promise<number> {
    this.check();
    this.sweeps.push(nowMs);
    return this.sweepAnswers.shift() ?? 0;
  }

  async status(): Promise<WebhookQueueStatus> {
    this.check();
    const oldest = this.entries[0]?.event.at;
    return {
      queued: this.entries.length,
      pending: this.entries.filter((e) => e.deliveries > 0).length,
      oldestAgeMs: oldest === undefined ? null : this.time - oldest,
      deadLetters: this.dead.length,
      consumers: [],
    };
  }

  async deadLetters(max: number): Promise<DeadLetter[]> {
    return this.dead.slice(0, max);
  }

  async replay(): Promise<number> {
    return 0;
  }
}

export class FakeTargets implements WebhookTargets {
  readonly map = new Map<string, AccountWebhook>();
  async get(custid: string): Promise<AccountWebhook | null> {
    return this.map.get(custid) ?? null;
  }
  async set(custid: string, target: AccountWebhook): Promise<void> {
    this.map.set(custid, target);
  }
  async remove(custid: string): Promise<boolean> {
    return this.map.delete(custid);
  }
  async list(): Promise<string[]> {
    return [...this.map.keys()];
  }
}
