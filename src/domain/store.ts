import type { ReceiptRecord, State } from './receipt.js';

/** How taking a secret moves its receipt: to `to` (received, burned) from one of `from`, updated at `at`. */
export interface Settle {
  to: State;
  from: readonly State[];
  at: number;
}

/** A receipt's state and update time before a claim moved it, to put back if the claimed record does not open. */
export interface ReceiptBefore {
  metadataKey: string;
  state: State;
  updated: number;
}

/** What a reveal or burn finds when it tries to claim a secret. */
export type ClaimResult =
  | { status: 'missing' }
  /**
   * No passphrase: the secret was taken from the store in the same atomic step, and its receipt settled as asked
   * (`before` holds what the receipt was, when it moved).
   */
  | { status: 'claimed'; record: Buffer; pttl: number; before?: ReceiptBefore }
  /** Passphrase-protected: left in place; the caller checks the passphrase, then claims with claimIfUnchanged. */
  | { status: 'protected'; record: Buffer; failedAttempts: number; attemptsTtl: number };

export interface SecretStore {
  /** Stores the sealed secret (ttl seconds) and its receipt (2 × ttl); adds the receipt to the owner's recent list. */
  create(secretKey: string, record: Buffer, receipt: ReceiptRecord, recentLimit: number): Promise<void>;
  /** A fresh metadata key for a new secret's receipt (Redis picks one it can keep beside the secret). */
  newMetadataKey(secretKey: string): string;
  /**
   * Takes an unprotected secret, moving its receipt as `settle` says in the same step; leaves a protected one in
   * place (see ClaimResult). Without `settle` the receipt is not touched.
   */
  claim(secretKey: string, settle?: Settle): Promise<ClaimResult>;
  /**
   * Puts back a claimed record that could not be opened, with the milliseconds it had left, and its receipt as it
   * was before the claim (if the claim moved it and nothing has moved it since).
   */
  restore(secretKey: string, record: Buffer, pttl: number, before?: ReceiptBefore, settle?: Settle): Promise<void>;
  /**
   * Deletes the secret only if it still holds exactly `record`, moving its receipt as `settle` says; true for the
   * one caller that wins.
   */
  claimIfUnchanged(secretKey: string, record: Buffer, settle?: Settle): Promise<boolean>;
  /** Counts a wrong passphrase for this secret; returns the count within the window and the window's seconds left. */
  recordFailedAttempt(secretKey: string, windowSeconds: number): Promise<{ attempts: number; ttl: number }>;
  getReceipt(metadataKey: string): Promise<{ receipt: ReceiptRecord; metadataTtl: number } | null>;
  /**
   * A receipt as stored, for a view of it: with its whole seconds left and, while it is live (new, viewed), its
   * secret's (null: the secret is gone). A first view (new) moves it to viewed in the same step, if `viewer` may
   * see it: undefined lets anyone, a custid only the owner (or anyone, for an anonymous secret).
   */
  viewReceipt(metadataKey: string, viewer: string | undefined): Promise<ReceiptForView | null>;
  /** Whole seconds left on the secret, or null when it is gone. */
  secretTtl(secretKey: string): Promise<number | null>;
  /**
   * Read-only look at a secret: whether it exists and needs a passphrase, its whole seconds left and its receipt's
   * key. Never claims, never counts an attempt, never reads the sealed value; null when it is gone.
   */
  peek(secretKey: string): Promise<SecretPeek | null>;
  /** Sets the receipt's memo, keeping its TTL; false when there is no such receipt. */
  setMemo(metadataKey: string, memo: string): Promise<boolean>;
  /** Moves the receipt to `to` only from one of `from`; true if it moved. Keeps the receipt's TTL. */
  transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean>;
  /** Metadata keys of the owner's receipts, newest first. */
  recent(custid: string, limit: number): Promise<string[]>;
}

export interface SecretPeek {
  passphraseProtected: boolean;
  ttl: number;
  metadataKey: string;
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
   * Counts one request for `key`, whose window (`windowMs` long) starts with its first request; answers this
   * request's count within the window and the milliseconds the window has left.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
}

export interface Store {
  secrets: SecretStore;
  accounts: AccountStore;
  rateCounts: RateCounts;
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

/** Raised by a store whose backend cannot be reached; the API answers 503. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
