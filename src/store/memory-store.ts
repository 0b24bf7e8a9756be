import { generateKey } from '../domain/keys.js';
import { receiptTtlOf, type ReceiptRecord, type State } from '../domain/receipt.js';
import { decodeSecretRecord, isProtectedRecord } from '../domain/secret-record.js';
import { completeView } from './receipt-view.js';
import { MemoryRateCounts } from './memory-rate-counts.js';
import { countApart } from '../domain/rate-charge.js';
import type {
  AccountRecord,
  AccountStore,
  ClaimOptions,
  ClaimResult,
  RateCharge,
  RateCounts,
  ReceiptBefore,
  ReceiptForView,
  SecretPeek,
  SecretStore,
  Settle,
  Store,
} from '../domain/store.js';

/** A map whose entries expire like Redis keys; expiry is checked on read and swept in the background. */
class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, ttlSeconds: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  /** Replaces the value and keeps the expiry, like HSET on an existing Redis key. */
  update(key: string, value: V): void {
    const e = this.entries.get(key);
    if (e) e.value = value;
  }

  /** Milliseconds left, or -2 when absent (as Redis PTTL). */
  pttl(key: string): number {
    if (this.get(key) === undefined) return -2;
    return this.entries.get(key)!.expiresAt - this.now();
  }

  /** Whole seconds left, or -2 when absent (as Redis TTL). */
  ttl(key: string): number {
    if (this.get(key) === undefined) return -2;
    return Math.floor((this.entries.get(key)!.expiresAt - this.now()) / 1000);
  }

  delete(key: string): boolean {
    return this.get(key) !== undefined && this.entries.delete(key);
  }

  sweep(): void {
    const now = this.now();
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The embedded store: same interface and once-only semantics as Redis, in this process's memory. */
export class MemorySecretStore implements SecretStore {
  readonly secretMap: ExpiringMap<Buffer>;
  private readonly attempts: ExpiringMap<number>;
  private readonly receipts: ExpiringMap<ReceiptRecord>;
  private readonly recents: ExpiringMap<{ key: string; score: number }[]>;

  constructor(
    now: () => number,
    private readonly rateCounts: RateCounts,
  ) {
    this.secretMap = new ExpiringMap(now);
    this.attempts = new ExpiringMap(now);
    this.receipts = new ExpiringMap(now);
    this.recents = new ExpiringMap(now);
  }

  async create(secretKey: string, record: Buffer, receipt: ReceiptRecord, recentLimit: number, charge?: RateCharge): Promise<void> {
    await countApart(this.rateCounts, charge);
    this.secretMap.set(secretKey, record, receipt.ttl);
    this.receipts.set(receipt.metadataKey, { ...receipt }, receiptTtlOf(receipt.ttl));
    if (receipt.custid !== 'anon') {
      // By creation time; the new entry goes first so that a stable sort keeps it above same-second ones (as Redis).
      const list = [{ key: receipt.metadataKey, score: receipt.created }, ...(this.recents.get(receipt.custid) ?? [])]
        .sort((a, b) => b.score - a.score)
        .slice(0, recentLimit);
      const ttl = Math.max(this.recents.ttl(receipt.custid), receiptTtlOf(receipt.ttl));
      this.recents.set(receipt.custid, list, ttl);
    }
  }

  newMetadataKey(): string {
    return generateKey();
  }

  async claim(secretKey: string, { settle, charge, withReceipt }: ClaimOptions = {}): Promise<ClaimResult> {
    await countApart(this.rateCounts, charge);
    const record = this.secretMap.get(secretKey);
    if (record === undefined) return { status: 'missing' };
    const metadataKey = decodeSecretRecord(record)?.metadataKey;
    const found = withReceipt && metadataKey !== undefined ? this.receipts.get(metadataKey) : undefined;
    const receipt = found ? { receipt: { ...found } } : {};
    if (!isProtectedRecord(record)) {
      const pttl = this.secretMap.pttl(secretKey);
      this.secretMap.delete(secretKey);
      const before = settle && this.settleReceipt(record, settle);
      return { status: 'claimed', record, pttl, ...(before ? { before } : {}), ...receipt };
    }
    const failedAttempts = this.attempts.get(secretKey) ?? 0;
    return { status: 'protected', record, failedAttempts, attemptsTtl: this.attempts.ttl(secretKey), ...receipt };
  }

  async restore(secretKey: string, record: Buffer, pttl: number, before?: ReceiptBefore, settle?: Settle): Promise<void> {
    if (pttl > 0 && this.secretMap.get(secretKey) === undefined) this.secretMap.set(secretKey, record, pttl / 1000);
    if (before && settle) {
      const receipt = this.receipts.get(before.metadataKey);
      if (receipt?.state === settle.to && receipt.updated === settle.at) {
        const { received: _dropped, ...rest } = receipt;
        this.receipts.update(before.metadataKey, { ...rest, state: before.state, updated: before.updated });
      }
    }
  }

  async claimIfUnchanged(secretKey: string, record: Buffer, settle?: Settle): Promise<boolean> {
    if (!this.secretMap.get(secretKey)?.equals(record)) return false;
    this.secretMap.delete(secretKey);
    this.attempts.delete(secretKey);
    if (settle) this.settleReceipt(record, settle);
    return true;
  }

  /** Moves the record's receipt as `settle` says; what it was before, or undefined when it did not move. */
  private settleReceipt(record: Buffer, settle: Settle): ReceiptBefore | undefined {
    const metadataKey = decodeSecretRecord(record)?.metadataKey;
    const receipt = metadataKey === undefined ? undefined : this.receipts.get(metadataKey);
    if (!metadataKey || !receipt || !settle.from.includes(receipt.state)) return undefined;
    this.moveReceipt(metadataKey, receipt, settle.to, settle.at);
    return { metadataKey, state: receipt.state, updated: receipt.updated };
  }

  private moveReceipt(metadataKey: string, receipt: ReceiptRecord, to: State, at: number): void {
    const next: ReceiptRecord = { ...receipt, state: to, updated: at };
    if (to === 'received') next.received = at;
    this.receipts.update(metadataKey, next);
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

  async viewReceipt(metadataKey: string, viewer: string | undefined, charge?: RateCharge): Promise<ReceiptForView | null> {
    await countApart(this.rateCounts, charge);
    const found = await this.getReceipt(metadataKey);
    return found && completeView(this, found, { viewer });
  }

  async secretTtl(secretKey: string): Promise<number | null> {
    const ttl = this.secretMap.ttl(secretKey);
    return ttl >= 0 ? ttl : null;
  }

  async peek(secretKey: string): Promise<SecretPeek | null> {
    const record = this.secretMap.get(secretKey);
    const metadataKey = record && decodeSecretRecord(record)?.metadataKey;
    if (!record || !metadataKey) return null;
    return { passphraseProtected: isProtectedRecord(record), ttl: this.secretMap.ttl(secretKey), metadataKey };
  }

  async inspect(secretKey: string, charge?: RateCharge): Promise<{ found: SecretPeek; receipt: ReceiptRecord | undefined } | null> {
    await countApart(this.rateCounts, charge);
    const found = await this.peek(secretKey);
    return found && { found, receipt: (await this.getReceipt(found.metadataKey))?.receipt };
  }

  async setMemo(metadataKey: string, memo: string): Promise<boolean> {
    const receipt = this.receipts.get(metadataKey);
    if (!receipt) return false;
    this.receipts.update(metadataKey, { ...receipt, memo });
    return true;
  }

  async transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean> {
    const receipt = this.receipts.get(metadataKey);
    if (!receipt || !from.includes(receipt.state)) return false;
    this.moveReceipt(metadataKey, receipt, to, at);
    return true;
  }

  async recent(custid: string, limit: number): Promise<string[]> {
    return (this.recents.get(custid) ?? []).slice(0, limit).map((e) => e.key);
  }

  sweep(): void {
    this.secretMap.sweep();
    this.attempts.sweep();
    this.receipts.sweep();
    this.recents.sweep();
  }
}

export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly emailsById = new Map<string, string>();

  async getAccount(email: string): Promise<AccountRecord | null> {
    const a = this.accounts.get(email);
    return a ? { ...a } : null;
  }

  async emailOfId(id: string): Promise<string | null> {
    return this.emailsById.get(id) ?? null;
  }

  async putAccount(account: AccountRecord): Promise<void> {
    this.accounts.set(account.email, { ...account });
    this.emailsById.set(account.customerId, account.email);
    this.emailsById.set(account.organizationId, account.email);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return [...this.accounts.values()].sort((a, b) => a.email.localeCompare(b.email));
  }

  async deleteAccount(email: string): Promise<boolean> {
    const account = this.accounts.get(email);
    if (account) {
      this.emailsById.delete(account.customerId);
      this.emailsById.delete(account.organizationId);
    }
    return this.accounts.delete(email);
  }
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly secrets: MemorySecretStore;
  readonly accounts = new MemoryAccountStore();
  readonly rateCounts: MemoryRateCounts;
  /** Counted in process memory: no round trip to spare, and the same path as Redis's. */
  readonly chargesRide = true;
  private readonly sweeper: NodeJS.Timeout;

  constructor(now: () => number = Date.now) {
    this.rateCounts = new MemoryRateCounts(now);
    this.secrets = new MemorySecretStore(now, this.rateCounts);
    this.sweeper = setInterval(() => this.secrets.sweep(), 60_000);
    this.sweeper.unref();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
