import type { ReceiptRecord, State } from './receipt.js';
import type { WebhookStore } from './webhook-queue.js';

/** How taking a secret moves its receipt: to `to` (received, burned) from one of `from`, updated at `at`. */
export interface Settle {
  to: State;
  from: readonly State[];
  at: number;
}

/**
 * A secret as the store keeps it. The store writes it from the receipt it is given (its metadata key and passphrase
 * flag) and the sealed value, so a record and its receipt agree by construction.
 */
export interface StoredSecret {
  metadataKey: string;
  passphraseProtected: boolean;
  sealed: Buffer;
}

/** What a reveal or burn finds when it tries to claim a secret; `receipt` is as it was before the claim. */
export type ClaimResult =
  | { status: 'missing' }
  /** No passphrase: taken in the same atomic step that settled its receipt as asked. */
  | { status: 'claimed'; secret: StoredSecret; pttl: number; receipt: ReceiptRecord | undefined }
  /** Passphrase-protected: left in place; the caller checks the passphrase, then claims with claimIfUnchanged. */
  | { status: 'protected'; secret: StoredSecret; failedAttempts: number; attemptsTtl: number; receipt: ReceiptRecord | undefined };

/**
 * A look at a secret that never reads its sealed value: its passphrase flag, whole seconds left, receipt, and its
 * failed passphrase attempts with their window's seconds left (as a claim answers them), to tell whether it is locked.
 */
export interface SecretLook {
  passphraseProtected: boolean;
  ttl: number;
  metadataKey: string;
  receipt: ReceiptRecord | undefined;
  failedAttempts: number;
  attemptsTtl: number;
}

export interface SecretStore {
  /** A fresh metadata key for a new secret's receipt (Redis picks one in the secret's Cluster slot). */
  newMetadataKey(secretKey: string): string;
  /**
   * Stores the sealed value for `receipt.ttl` seconds and the receipt for twice that, and adds the receipt to its
   * owner's recent list (at most `recentLimit` entries). An error means nothing is kept.
   */
  create(receipt: ReceiptRecord, sealed: Buffer, recentLimit: number): Promise<void>;
  /** Takes an unprotected secret, settling its receipt in the same step; leaves a protected one in place. */
  claim(secretKey: string, settle: Settle): Promise<ClaimResult>;
  /** Takes the secret only if it is still exactly `secret`, settling its receipt; true for the one caller that wins. */
  claimIfUnchanged(secretKey: string, secret: StoredSecret, settle: Settle): Promise<boolean>;
  /**
   * Puts back a claimed secret, with the milliseconds it had left, and its receipt as it was before the claim (if
   * the claim moved it and nothing has moved it since).
   */
  restore(secretKey: string, secret: StoredSecret, pttl: number, receiptBefore: ReceiptRecord | undefined, settle: Settle): Promise<void>;
  /** Counts a wrong passphrase for this secret; returns the count within the window and the window's seconds left. */
  recordFailedAttempt(secretKey: string, windowSeconds: number): Promise<{ attempts: number; ttl: number }>;
  getReceipt(metadataKey: string): Promise<{ receipt: ReceiptRecord; metadataTtl: number } | null>;
  /**
   * A receipt for a view of it: with its whole seconds left and, while it is unread (new, viewed), its secret's
   * (null: the secret is gone). A first view (new) moves it to viewed in the same step if `viewer` may see it
   * (receipt.ts mayView: undefined lets anyone).
   */
  viewReceipt(metadataKey: string, viewer: string | undefined): Promise<ReceiptForView | null>;
  /** A read-only look at a secret; never claims, counts or reads the sealed value. Null when it is gone. */
  inspect(secretKey: string): Promise<SecretLook | null>;
  /** Sets the receipt's memo, keeping its TTL; false when there is no such receipt. */
  setMemo(metadataKey: string, memo: string): Promise<boolean>;
  /** Moves the receipt to `to` only from one of `from`; true if it moved. Keeps the receipt's TTL. */
  transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean>;
  /** Metadata keys of the owner's receipts, newest first. */
  recent(custid: string, limit: number): Promise<string[]>;
}

export interface AccountRecord {
  email: string;
  tokenHash: string;
  created: number;
  /** Public ids, stable across token rotation: `ur…` (customer) and `on…` (its own single organization). */
  customerId: string;
  organizationId: string;
}

export interface AccountStore {
  getAccount(email: string): Promise<AccountRecord | null>;
  /** The email of the account with this customer or organization id. */
  emailOfId(id: string): Promise<string | null>;
  /** Creates or replaces the account (and the index of its ids). */
  putAccount(account: AccountRecord): Promise<void>;
  listAccounts(): Promise<AccountRecord[]>;
  deleteAccount(email: string): Promise<boolean>;
}

/**
 * Request counts in fixed windows, one per key: what the per-client rate limits count. A Redis store keeps them in
 * Redis, so every instance on that store shares them.
 */
export interface RateCounts {
  /**
   * Adds `units` to `key`'s count, whose window (`windowMs` long) starts with its first request, unless that would
   * pass `limit`: then nothing is added. Answers the count after (or the count that refused) and the ms left.
   */
  take(key: string, windowMs: number, units: number, limit: number): Promise<{ count: number; ttlMs: number; taken: boolean }>;
  /**
   * Upstream's counter with lockout (incoming secrets): refused while `key` is locked, with the lock's ms left;
   * otherwise counted in a fixed window of `windowMs`, and the hit that reaches `cap` still passes but locks `key`
   * for `lockoutMs` and clears its count. Atomic.
   */
  hitWithLockout(key: string, cap: number, windowMs: number, lockoutMs: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
}

export interface Store {
  secrets: SecretStore;
  accounts: AccountStore;
  rateCounts: RateCounts;
  /** The webhook events this store records with its state changes, and the accounts' endpoints. */
  webhooks: WebhookStore;
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}

export interface ReceiptForView {
  receipt: ReceiptRecord;
  metadataTtl: number;
  secretTtl: number | null;
}

/** Raised by a store whose backend cannot be reached or cannot serve now; the API answers 503. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Raised by a store that is full (Redis at maxmemory under noeviction): nothing new can be kept; reads still work. */
export class StoreFullError extends StoreUnavailableError {
  constructor(cause?: unknown) {
    super(cause);
    this.name = 'StoreFullError';
  }
}
