// The embedded store: the same port and once-only semantics as Redis, in this process's memory (npm start without
// Redis, and the test double). Each method runs without awaiting in between, so it is as atomic as a Redis script.
import { generateKey } from '../domain/keys.js';
import { ANONYMOUS_CUSTID, mayView, receiptTtlOf, UNREAD_STATES, type ReceiptRecord, type State } from '../domain/receipt.js';
import type { ClaimResult, ReceiptForView, SecretLook, SecretStore, Settle, Store, StoredSecret } from '../domain/store.js';
import { ExpiringMap } from './expiring-map.js';
import { MemoryAccountStore } from './memory-accounts.js';
import { MemoryRateCounts } from './memory-rate-counts.js';
import { decodeRecord, encodeRecord } from './stored-record.js';
import { MemoryWebhookQueue, MemoryWebhookTargets } from './memory-webhooks.js';
import { claimEventOf, eventFactsOf, type EventFacts, type JournalSettings, type WebhookStore } from '../domain/webhook-queue.js';

export class MemorySecretStore implements SecretStore {
  readonly secretMap: ExpiringMap<Buffer>;
  private readonly attempts: ExpiringMap<number>;
  private readonly receipts: ExpiringMap<ReceiptRecord>;
  private readonly recents: ExpiringMap<{ key: string; score: number }[]>;

  constructor(
    now: () => number,
    /** Where the events of its state changes are queued, in the same step. */
    private readonly webhooks: MemoryWebhookQueue,
  ) {
    this.secretMap = new ExpiringMap(now);
    this.attempts = new ExpiringMap(now);
    this.receipts = new ExpiringMap(now);
    this.recents = new ExpiringMap(now);
    webhooks.expiryCheck = (metadataKey) => this.expiredFacts(metadataKey);
  }

  /** A receipt whose TTL has ended: its facts if its secret expired unread, 'alive' if the secret is still there. */
  private expiredFacts(metadataKey: string): EventFacts | 'alive' | null {
    const receipt = this.receipts.get(metadataKey);
    if (!receipt || receipt.state === 'received' || receipt.state === 'burned') return null;
    if (this.secretMap.get(receipt.secretKey) !== undefined) return 'alive';
    return eventFactsOf(receipt, 'expired', receipt.created + receipt.ttl);
  }

  newMetadataKey(): string {
    return generateKey();
  }

  async create(receipt: ReceiptRecord, sealed: Buffer, recentLimit: number): Promise<void> {
    const record = encodeRecord({ metadataKey: receipt.metadataKey, passphraseProtected: receipt.passphraseRequired, sealed });
    this.secretMap.set(receipt.secretKey, record, receipt.ttl);
    this.receipts.set(receipt.metadataKey, { ...receipt }, receiptTtlOf(receipt.ttl));
    this.webhooks.record('secret.created', receipt, 'new', receipt.created);
    if (receipt.source === 'incoming') this.webhooks.record('incoming.received', receipt, 'new', receipt.created);
    this.webhooks.trackExpiry(receipt);
    if (receipt.custid === ANONYMOUS_CUSTID) return;
    // By creation time; the new entry goes first so that a stable sort keeps it above same-second ones (as Redis).
    const list = [{ key: receipt.metadataKey, score: receipt.created }, ...(this.recents.get(receipt.custid) ?? [])]
      .sort((a, b) => b.score - a.score)
      .slice(0, recentLimit);
    const ttl = Math.max(this.recents.ttl(receipt.custid), receiptTtlOf(receipt.ttl));
    this.recents.set(receipt.custid, list, ttl);
  }

  async claim(secretKey: string, settle: Settle): Promise<ClaimResult> {
    const raw = this.secretMap.get(secretKey);
    const secret = raw && decodeRecord(raw);
    if (!secret) return { status: 'missing' };
    const found = this.receipts.get(secret.metadataKey);
    const receipt = found && { ...found };
    if (secret.passphraseProtected) {
      const failedAttempts = this.attempts.get(secretKey) ?? 0;
      return { status: 'protected', secret, failedAttempts, attemptsTtl: this.attempts.ttl(secretKey), receipt };
    }
    const pttl = this.secretMap.pttl(secretKey);
    this.secretMap.delete(secretKey);
    this.settleAndRecord(secret.metadataKey, settle);
    return { status: 'claimed', secret, pttl, receipt };
  }

  async claimIfUnchanged(secretKey: string, secret: StoredSecret, settle: Settle): Promise<boolean> {
    if (!this.secretMap.get(secretKey)?.equals(encodeRecord(secret))) return false;
    this.secretMap.delete(secretKey);
    this.attempts.delete(secretKey);
    this.settleAndRecord(secret.metadataKey, settle);
    return true;
  }

  async restore(secretKey: string, secret: StoredSecret, pttl: number, before: ReceiptRecord | undefined, settle: Settle): Promise<void> {
    if (pttl > 0 && this.secretMap.get(secretKey) === undefined) this.secretMap.set(secretKey, encodeRecord(secret), pttl / 1000);
    const receipt = this.receipts.get(secret.metadataKey);
    if (!before || !settle.from.includes(before.state) || receipt?.state !== settle.to || receipt.updated !== settle.at) return;
    const { received: _dropped, ...rest } = receipt;
    this.receipts.update(secret.metadataKey, { ...rest, state: before.state, updated: before.updated });
  }

  /** A claim's settle, and its event (revealed, burned) when the receipt moved. */
  private settleAndRecord(metadataKey: string, settle: Settle): void {
    const before = this.receipts.get(metadataKey);
    if (before && this.settle(metadataKey, settle)) this.webhooks.record(claimEventOf(settle.to), before, settle.to, settle.at);
  }

  /** Moves a receipt as `settle` says; true if it moved. */
  private settle(metadataKey: string, settle: Settle): boolean {
    const receipt = this.receipts.get(metadataKey);
    if (!receipt || !settle.from.includes(receipt.state)) return false;
    const next: ReceiptRecord = { ...receipt, state: settle.to, updated: settle.at };
    if (settle.to === 'received') next.received = settle.at;
    this.receipts.update(metadataKey, next);
    return true;
  }

  async recordFailedAttempt(secretKey: string, windowSeconds: number): Promise<{ attempts: number; ttl: number }> {
    const attempts = (this.attempts.get(secretKey) ?? 0) + 1;
    if (attempts === 1) this.attempts.set(secretKey, attempts, windowSeconds);
    else this.attempts.update(secretKey, attempts);
    return { attempts, ttl: this.attempts.ttl(secretKey) };
  }

  async getReceipt(metadataKey: string): Promise<{ receipt: ReceiptRecord; metadataTtl: number } | null> {
    const receipt = this.receipts.get(metadataKey);
    return receipt ? { receipt: { ...receipt }, metadataTtl: this.receipts.ttl(metadataKey) } : null;
  }

  async viewReceipt(metadataKey: string, viewer: string | undefined): Promise<ReceiptForView | null> {
    const found = await this.getReceipt(metadataKey);
    if (!found) return null;
    const { receipt } = found;
    const unread = UNREAD_STATES.includes(receipt.state);
    const ttl = unread ? this.secretMap.ttl(receipt.secretKey) : -2;
    if (receipt.state === 'new' && mayView(receipt.custid, viewer)) this.settle(metadataKey, { to: 'viewed', from: ['new'], at: receipt.updated });
    return { ...found, secretTtl: ttl >= 0 ? ttl : null };
  }

  async inspect(secretKey: string): Promise<SecretLook | null> {
    const raw = this.secretMap.get(secretKey);
    const secret = raw && decodeRecord(raw);
    if (!secret) return null;
    const { metadataKey, passphraseProtected } = secret;
    const receipt = (await this.getReceipt(metadataKey))?.receipt;
    const failedAttempts = this.attempts.get(secretKey) ?? 0;
    return { metadataKey, passphraseProtected, ttl: this.secretMap.ttl(secretKey), receipt, failedAttempts, attemptsTtl: this.attempts.ttl(secretKey) };
  }

  async setMemo(metadataKey: string, memo: string): Promise<boolean> {
    const receipt = this.receipts.get(metadataKey);
    if (!receipt) return false;
    this.receipts.update(metadataKey, { ...receipt, memo });
    return true;
  }

  async transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean> {
    return this.settle(metadataKey, { to, from, at });
  }

  async recent(custid: string, limit: number): Promise<string[]> {
    return (this.recents.get(custid) ?? []).slice(0, limit).map((e) => e.key);
  }

  /** Forgets every secret, receipt and count (the test double's reset); accounts live elsewhere and stay. */
  clear(): void {
    for (const map of [this.secretMap, this.attempts, this.receipts, this.recents]) map.clear();
  }

  sweep(): void {
    this.secretMap.sweep();
    this.attempts.sweep();
    this.receipts.sweep();
    this.recents.sweep();
  }
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly secrets: MemorySecretStore;
  readonly accounts = new MemoryAccountStore();
  readonly rateCounts: MemoryRateCounts;
  readonly webhooks: WebhookStore & { queue: MemoryWebhookQueue };
  private readonly sweeper: NodeJS.Timeout;

  constructor(now: () => number = Date.now, journal: JournalSettings = { instanceEvents: [] }) {
    this.rateCounts = new MemoryRateCounts(now);
    const targets = new MemoryWebhookTargets();
    this.webhooks = { queue: new MemoryWebhookQueue(now, journal, targets), targets };
    this.secrets = new MemorySecretStore(now, this.webhooks.queue);
    this.sweeper = setInterval(() => this.secrets.sweep(), 60_000);
    this.sweeper.unref();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
