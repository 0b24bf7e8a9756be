// The webhook queue: the port the stores implement (docs/webhooks.md). A store records an event in the same step as
// the state change it reports (Redis: the same script, outside Cluster), one queued entry per target that wants it;
// the delivery worker (src/webhooks/) takes entries, posts them and acknowledges each after a 2xx.
import { ANONYMOUS_CUSTID, type ReceiptRecord, type State } from './receipt.js';

export const WEBHOOK_EVENT_TYPES = ['secret.created', 'secret.revealed', 'secret.burned', 'secret.expired', 'incoming.received'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The target of the instance-wide endpoint (WEBHOOK_URL); any other target is the owning account's custid. */
export const INSTANCE_TARGET = '*';

/**
 * What an event says of its receipt, as recorded: never a key, a value, a passphrase, a memo or an address.
 * Times are epoch seconds, as the receipts keep them.
 */
export interface EventFacts {
  shortid: string; // the receipt's v2 shortid (the first 8 characters of its metadata key)
  custid: string; // the owner: an account's email, or 'anon'
  state: string; // the receipt's state after the event
  ttl: number; // the secret's lifespan in seconds
  created: number;
  updated: number;
  /** incoming.received only: the recipient's public digest and display name. */
  recipientDigest?: string;
  recipientName?: string;
}

/** One event for one target, as a delivery worker takes it from the queue. */
export interface QueuedEvent {
  /** The queue's own id of this entry (a Redis stream entry id). */
  id: string;
  /** The Standard Webhooks `webhook-id`: the same on every retry and after a replay. */
  messageId: string;
  target: string; // INSTANCE_TARGET or a custid
  type: WebhookEventType;
  /** When the event happened, epoch milliseconds. */
  at: number;
  facts: EventFacts;
  /** How many times the entry has been handed to a worker, this time included (1 on the first try). */
  deliveries: number;
}

/** An event that failed its last try, with why. */
export interface DeadLetter {
  event: QueuedEvent;
  reason: string;
  /** When it was given up, epoch milliseconds. */
  failedAt: number;
}

export interface WebhookQueueStatus {
  /** Entries waiting or in delivery (not yet acknowledged). */
  queued: number;
  /** Of those, entries handed to a worker and not acknowledged yet (in delivery, or waiting for a retry). */
  pending: number;
  /** Age in ms of the oldest queued entry; null when the queue is empty. */
  oldestAgeMs: number | null;
  deadLetters: number;
  /** The workers that read the queue, with what each holds and how long ago each was last seen. */
  consumers: { name: string; pending: number; idleMs: number }[];
}

/** Which events the instance-wide endpoint wants; none when WEBHOOK_URL is not set. Account targets want every event. */
export interface JournalSettings {
  instanceEvents: readonly WebhookEventType[];
}

export interface WebhookQueue {
  /** Entries no worker has taken yet (at most `count`), now held by `consumer`. */
  takeNew(consumer: string, count: number): Promise<QueuedEvent[]>;
  /**
   * Entries taken before and not acknowledged (their try failed, or the worker holding them died) for which
   * `waitMs(deliveries)` has passed since they were last taken; now held by `consumer`, each by one worker only.
   */
  takeDue(consumer: string, count: number, waitMs: (deliveries: number) => number): Promise<QueuedEvent[]>;
  /** Delivered: the entry leaves the queue. */
  ack(event: QueuedEvent): Promise<void>;
  /** Gave up after the last try: the entry leaves the queue for the dead-letter list. */
  deadLetter(event: QueuedEvent, reason: string): Promise<void>;
  /**
   * Records `secret.expired` for secrets whose TTL ended by `nowMs` unread (at most `limit` of them); each expiry is
   * recorded once, by whichever instance's sweep finds it first. Answers how many ended TTLs were looked at.
   */
  sweepExpired(nowMs: number, limit: number): Promise<number>;
  status(): Promise<WebhookQueueStatus>;
  /** The oldest dead letters, at most `max`. */
  deadLetters(max: number): Promise<DeadLetter[]>;
  /** Moves up to `max` dead letters back into the queue with fresh tries (the same message ids); answers how many. */
  replay(max: number): Promise<number>;
  /** Forgets workers that hold nothing and were last seen over `idleMs` ago (stopped processes); answers how many. */
  forgetIdleConsumers(idleMs: number): Promise<number>;
}

/** An account's own endpoint, set by the operator (admin command); it receives the events of that account's secrets. */
export interface AccountWebhook {
  url: string;
  /** The signing secret, `whsec_` and base64. */
  secret: string;
  created: number; // epoch seconds
}

export interface WebhookTargets {
  get(custid: string): Promise<AccountWebhook | null>;
  set(custid: string, target: AccountWebhook): Promise<void>;
  remove(custid: string): Promise<boolean>;
  /** The custids that have an endpoint. */
  list(): Promise<string[]>;
}

export interface WebhookStore {
  queue: WebhookQueue;
  targets: WebhookTargets;
}

/** What an event says of `receipt` once it is in `state` (updated at `updated`, epoch seconds). */
export function eventFactsOf(receipt: ReceiptRecord, state: State, updated: number): EventFacts {
  const facts: EventFacts = { shortid: receipt.metadataKey.slice(0, 8), custid: receipt.custid, state, ttl: receipt.ttl, created: receipt.created, updated };
  if (receipt.recipientDigest !== undefined) facts.recipientDigest = receipt.recipientDigest;
  if (receipt.recipientName !== undefined) facts.recipientName = receipt.recipientName;
  return facts;
}

/**
 * The targets an event goes to: the instance-wide endpoint when it wants this type, and the owner's own endpoint
 * when the owner (an account) has one. The Lua scripts follow the same rule (src/store/redis-journal.ts).
 */
export function targetsOf(type: WebhookEventType, custid: string, journal: JournalSettings, ownerHasTarget: boolean): string[] {
  const targets: string[] = [];
  if (journal.instanceEvents.includes(type)) targets.push(INSTANCE_TARGET);
  if (custid !== ANONYMOUS_CUSTID && ownerHasTarget) targets.push(custid);
  return targets;
}

/** The event a claim that settled its receipt to `to` reports. */
export function claimEventOf(to: State): WebhookEventType {
  return to === 'burned' ? 'secret.burned' : 'secret.revealed';
}
