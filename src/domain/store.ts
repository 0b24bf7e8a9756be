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

/** How a claim is made: the receipt move, the request's rate count, and whether the receipt is wanted. */
export interface ClaimOptions {
  settle?: Settle | undefined;
  /** Counted first; the claim is refused (rateLimited, nothing taken) when it passes its budget. */
  charge?: RateCharge | undefined;
  /** Answer the receipt as it was before the claim (`receipt`), read in the same step where the store can. */
  withReceipt?: boolean;
}

/** What a reveal or burn finds when it tries to claim a secret. */
export type ClaimResult =
  | { status: 'missing' }
  /**
   * No passphrase: the secret was taken from the store in the same atomic step, and its receipt settled as asked
   * (`before` holds what the receipt was, when it moved).
   */
  | { status: 'claimed'; record: Buffer; pttl: number; before?: ReceiptBefore; receipt?: ReceiptRecord }
  /** Passphrase-protected: left in place; the caller checks the passphrase, then claims with claimIfUnchanged. */
  | { status: 'protected'; record: Buffer; failedAttempts: number; attemptsTtl: number; receipt?: ReceiptRecord };

/**
 * One request's count against its client's budget (see domain/rate-charge.ts): under `key`, in a window `windowMs`
 * long that starts with its first request. A store given one counts it before the operation, in the same atomic
 * step where it can, and refuses the operation (rateLimited, nothing done) when the count passes `limit`.
 */
export interface RateCharge {
  readonly key: string;
  readonly windowMs: number;
  readonly limit: number;
  /**
   * Set once the count was sent, by the store or (for a request that never reached it) the rate limit: never sent
   * twice, also when the store did not answer.
   */
  counted?: boolean;
  /** Set when the count passed the limit: the window's milliseconds left. */
  refusedForMs?: number;
}

export interface SecretStore {
  /**
   * Stores the sealed secret (ttl seconds) and its receipt (2 × ttl); adds the receipt to the owner's recent list.
   * With a charge, counts it first and stores nothing when it is refused.
   */
  create(secretKey: string, record: Buffer, receipt: ReceiptRecord, recentLimit: number, charge?: RateCharge): Promise<void>;
  /** A fresh metadata key for a new secret's receipt (Redis picks one it can keep beside the secret). */
  newMetadataKey(secretKey: string): string;
  /**
   * Takes an unprotected secret, moving its receipt as `settle` says in the same step; leaves a protected one in
   * place (see ClaimResult). Without `settle` the receipt is not touched.
   */
  claim(secretKey: string, options?: ClaimOptions): Promise<ClaimResult>;
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
  viewReceipt(metadataKey: string, viewer: string | undefined, charge?: RateCharge): Promise<ReceiptForView | null>;
  /** Whole seconds left on the secret, or null when it is gone. */
  secretTtl(secretKey: string): Promise<number | null>;
  /**
   * Read-only look at a secret: whether it exists and needs a passphrase, its whole seconds left and its receipt's
   * key. Never claims, never counts an attempt, never reads the sealed value; null when it is gone.
   */
  peek(secretKey: string): Promise<SecretPeek | null>;
  /**
   * A peek and the secret's receipt as it is (undefined when it is gone), read in the same step where the store can
   * (v2's show and status); with a charge, counted first. Null when the secret is gone.
   */
  inspect(secretKey: string, charge?: RateCharge): Promise<{ found: SecretPeek; receipt: ReceiptRecord | undefined } | null>;
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
  /**
   * Whether create and claim count a RateCharge in their own step, sparing the count a round trip of its own (Redis
   * and Sentinel: yes; Cluster: no, a client's counter is in another slot than its secrets; memory: no trip at all).
   */
  readonly chargesRide: boolean;
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
