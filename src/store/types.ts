import type { ReceiptRecord, State } from '../domain/receipt.js';

/** What a reveal or burn finds when it tries to claim a secret. */
export type ClaimResult =
  | { status: 'missing' }
  /** No passphrase: the secret was taken from the store in the same atomic step. */
  | { status: 'claimed'; record: Buffer; pttl: number }
  /** Passphrase-protected: left in place; the caller checks the passphrase, then claims with claimIfUnchanged. */
  | { status: 'protected'; record: Buffer; failedAttempts: number; attemptsTtl: number };

export interface SecretStore {
  /** Stores the sealed secret (ttl seconds) and its receipt (2 × ttl); adds the receipt to the owner's recent list. */
  create(secretKey: string, record: Buffer, receipt: ReceiptRecord, recentLimit: number): Promise<void>;
  claim(secretKey: string): Promise<ClaimResult>;
  /** Puts back a claimed record that could not be opened, with the milliseconds it had left. */
  restore(secretKey: string, record: Buffer, pttl: number): Promise<void>;
  /** Deletes the secret only if it still holds exactly `record`; true for the one caller that wins. */
  claimIfUnchanged(secretKey: string, record: Buffer): Promise<boolean>;
  /** Counts a wrong passphrase for this secret; returns the count within the window and the window's seconds left. */
  recordFailedAttempt(secretKey: string, windowSeconds: number): Promise<{ attempts: number; ttl: number }>;
  getReceipt(metadataKey: string): Promise<{ receipt: ReceiptRecord; metadataTtl: number } | null>;
  /** Whole seconds left on the secret, or null when it is gone. */
  secretTtl(secretKey: string): Promise<number | null>;
  /**
   * Read-only look at a secret for the recipient's page: whether it exists and needs a passphrase, and its whole
   * seconds left. Never claims, never counts an attempt; null when it is gone.
   */
  peek(secretKey: string): Promise<{ passphraseProtected: boolean; ttl: number } | null>;
  /** Moves the receipt to `to` only from one of `from`; true if it moved. Keeps the receipt's TTL. */
  transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean>;
  /** Metadata keys of the owner's receipts, newest first. */
  recent(custid: string, limit: number): Promise<string[]>;
}

export interface AccountRecord {
  email: string;
  tokenHash: string;
  created: number;
}

export interface AccountStore {
  getAccount(email: string): Promise<AccountRecord | null>;
  /** Creates or replaces the account. */
  putAccount(account: AccountRecord): Promise<void>;
  listAccounts(): Promise<AccountRecord[]>;
  deleteAccount(email: string): Promise<boolean>;
}

export interface Store {
  secrets: SecretStore;
  accounts: AccountStore;
  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}

/** Raised by a store whose backend cannot be reached; the API answers 503. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('store unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
