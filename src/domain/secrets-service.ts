// The rules of the contract, with no knowledge of HTTP: create, reveal once, receipts, burn, recent.

import { open, seal, SealError } from '../crypto/seal.js';
import type { ClaimResult, SecretStore, Settle } from '../store/types.js';
import { errors } from './errors.js';
import { generateKey, isWellFormedKey, shortKey } from './keys.js';
import { generatePassword, passwordLength } from './password.js';
import {
  goneState,
  LIVE_STATES,
  mayView,
  OVERRIDABLE_STATES,
  receiptView,
  recentView,
  type ReceiptRecord,
  type ReceiptView,
  type State,
} from './receipt.js';
import { isEmail, obfuscateEmail } from './recipient.js';
import { decodeSecretRecord, encodeSecretRecord } from './secret-record.js';
import { clampTtl, parseTtl, type TtlLimits } from './ttl.js';

export interface Actor {
  custid: string; // account email, or 'anon'
  isAccount: boolean;
}

export const ANONYMOUS: Actor = { custid: 'anon', isAccount: false };

export interface ServiceConfig extends TtlLimits {
  maxSecretBytes: number;
  passphraseMinLength: number;
  passphraseMaxAttempts: number;
  passphraseWindow: number;
  recentLimit: number;
  allowAnonymous: boolean;
  receiptsOwnerOnly: boolean;
}

/** Flat request parameters after merging query and body; empty values are already removed. */
export interface CreateInput {
  secret?: string;
  passphrase?: string;
  ttl?: string;
  recipient?: string;
  share_domain?: string;
  length?: string;
}

/** Things that happened, for metrics and mail; listeners must not throw. */
export interface ServiceEvents {
  created?(receipt: ReceiptRecord, recipientAddress: string | undefined): void;
  revealed?(): void;
  burned?(): void;
  expired?(): void;
  wrongPassphrase?(): void;
}

export interface Logger {
  error(obj: object, msg: string): void;
}

const PASSPHRASE_MAX_LENGTH = 128;

export class SecretsService {
  private readonly now: () => number;

  constructor(
    private readonly store: SecretStore,
    private readonly config: ServiceConfig,
    private readonly masterKeys: Buffer[],
    private readonly log: Logger,
    private readonly events: ServiceEvents = {},
    now: () => number = Date.now,
  ) {
    this.now = () => Math.floor(now() / 1000);
  }

  /** POST /share: stores the caller's secret. */
  async share(input: CreateInput, actor: Actor): Promise<ReceiptView> {
    if (input.secret === undefined) {
      this.checkMayCreate(actor);
      throw errors.nothingToShare();
    }
    return this.create(input.secret, input, actor, 'new');
  }

  /** POST /generate: stores a random password and returns it once to the creator. */
  async generate(input: CreateInput, actor: Actor): Promise<ReceiptView & { value: string }> {
    const value = generatePassword(passwordLength(input.length));
    // The creator has seen the value, so the stored receipt starts as viewed; the response still says new.
    const view = await this.create(value, input, actor, 'viewed');
    return { ...view, value };
  }

  /** Whether this actor may create secrets (ALLOW_ANONYMOUS); the web form asks before offering itself. */
  mayCreate(actor: Actor): boolean {
    return actor.isAccount || this.config.allowAnonymous;
  }

  private checkMayCreate(actor: Actor): void {
    if (!this.mayCreate(actor)) throw errors.anonymousDisabled();
  }

  private async create(value: string, input: CreateInput, actor: Actor, storedState: State): Promise<ReceiptView> {
    this.checkMayCreate(actor);
    if (Buffer.byteLength(value, 'utf8') > this.config.maxSecretBytes) throw errors.secretTooLarge(this.config.maxSecretBytes);
    const passphrase = input.passphrase;
    if (passphrase !== undefined) {
      const length = [...passphrase].length;
      if (length > PASSPHRASE_MAX_LENGTH) throw errors.passphraseTooLong();
      if (length < this.config.passphraseMinLength) throw errors.passphraseTooShort(this.config.passphraseMinLength);
    }
    let recipientAddress: string | undefined;
    if (input.recipient !== undefined) {
      if (!actor.isAccount) throw errors.accountRequiredForEmail();
      if (isEmail(input.recipient)) recipientAddress = input.recipient;
    }

    const ttl = clampTtl(parseTtl(input.ttl, this.config.ttlDefault), this.config, actor.isAccount);
    const secretKey = generateKey();
    const metadataKey = this.store.newMetadataKey(secretKey);
    const now = this.now();
    const receipt: ReceiptRecord = {
      metadataKey,
      secretKey,
      custid: actor.custid,
      ttl,
      created: now,
      updated: now,
      state: storedState,
      shareDomain: validShareDomain(input.share_domain),
      passphraseRequired: passphrase !== undefined,
    };
    if (recipientAddress) receipt.recipient = obfuscateEmail(recipientAddress);

    const sealed = await seal(value, secretKey, this.masterKeys[0]!, passphrase);
    const record = encodeSecretRecord({ metadataKey, passphraseProtected: passphrase !== undefined, sealed });
    await this.store.create(secretKey, record, receipt, this.config.recentLimit);
    this.events.created?.(receipt, recipientAddress);
    return receiptView({ ...receipt, state: 'new' }, { metadataTtl: ttl * 2, secretTtl: ttl });
  }

  /** POST /secret/:key: the value, once. A wrong or missing passphrase looks exactly like an unknown key. */
  async reveal(secretKey: string, passphrase: string | undefined): Promise<{ value: string; secret_key: string }> {
    if (!isWellFormedKey(secretKey)) throw errors.unknownSecret(secretKey);
    // The receipt moves to received in the same step that takes the secret.
    const settle: Settle = { to: 'received', from: OVERRIDABLE_STATES, at: this.now() };
    const claim = await this.store.claim(secretKey, settle);
    if (claim.status === 'missing') throw errors.unknownSecret(secretKey);

    const stored = decodeSecretRecord(claim.record);
    if (!stored) throw errors.unknownSecret(secretKey);
    let value: string;
    if (claim.status === 'claimed') {
      value = await this.openOrRestore(secretKey, claim, settle, stored.sealed);
    } else {
      value = await this.checkPassphrase(secretKey, stored.sealed, passphrase, claim.failedAttempts, claim.attemptsTtl, () =>
        errors.unknownSecret(secretKey),
      );
      if (!(await this.store.claimIfUnchanged(secretKey, claim.record, settle))) throw errors.unknownSecret(secretKey);
    }
    this.events.revealed?.();
    return { value, secret_key: secretKey };
  }

  /**
   * For the recipient's page (GET /secret/:key): whether the secret is still there and needs a passphrase, and its
   * seconds left. Read-only: it never claims the secret nor counts a guess, so link previews leave it intact.
   */
  async peek(secretKey: string): Promise<{ passphraseRequired: boolean; secretTtl: number } | null> {
    if (!isWellFormedKey(secretKey)) return null;
    const found = await this.store.peek(secretKey);
    return found && { passphraseRequired: found.passphraseProtected, secretTtl: found.ttl };
  }

  /**
   * A record taken from the store that does not open (a misconfigured master key) is put back, never lost, and
   * its receipt with it.
   */
  private async openOrRestore(
    secretKey: string,
    claim: Extract<ClaimResult, { status: 'claimed' }>,
    settle: Settle,
    sealed: Buffer,
  ): Promise<string> {
    try {
      return await open(sealed, secretKey, this.masterKeys);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      await this.store.restore(secretKey, claim.record, claim.pttl, claim.before, settle);
      this.log.error(
        { key: shortKey(secretKey) },
        'stored secret does not open with OTS_SECRET or OTS_SECRET_PREVIOUS; it was left in place',
      );
      throw errors.unexpected();
    }
  }

  /**
   * Opens a protected record with the given passphrase under the per-secret guessing limit. The attempt is counted
   * before the (slow) check, so concurrent guesses cannot exceed the limit; a winning claim clears the count.
   */
  private async checkPassphrase(
    secretKey: string,
    sealed: Buffer,
    passphrase: string | undefined,
    failedAttempts: number,
    attemptsTtl: number,
    wrong: () => Error,
  ): Promise<string> {
    const { passphraseMaxAttempts: max, passphraseWindow: window } = this.config;
    if (failedAttempts >= max) throw errors.rateLimited(retryAfter(attemptsTtl, window));
    if (passphrase === undefined) throw wrong();
    const counted = await this.store.recordFailedAttempt(secretKey, window);
    if (counted.attempts > max) throw errors.rateLimited(retryAfter(counted.ttl, window));
    try {
      return await open(sealed, secretKey, this.masterKeys, passphrase);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      this.events.wrongPassphrase?.();
      throw wrong();
    }
  }

  /** GET|POST /private/:key: the receipt; new moves to viewed, a vanished secret to expired or orphaned. */
  async viewReceipt(metadataKey: string, actor: Actor): Promise<ReceiptView> {
    if (!isWellFormedKey(metadataKey)) throw errors.unknownSecret(metadataKey);
    // One step reads the receipt and its secret's time left and moves a first view to viewed (for the owner only
    // when RECEIPTS_OWNER_ONLY); the ownership check below then decides what the caller gets.
    const found = await this.store.viewReceipt(metadataKey, this.viewerOf(actor));
    if (!found) throw errors.unknownSecret(metadataKey);
    this.checkOwner(found.receipt, actor);
    const { receipt, metadataTtl, secretTtl } = found;
    if (LIVE_STATES.includes(receipt.state) && secretTtl === null) {
      const gone = goneState(receipt, this.now());
      if (await this.store.transition(metadataKey, LIVE_STATES, gone, this.now())) {
        if (gone === 'expired') this.events.expired?.();
        return receiptView({ ...receipt, state: gone, updated: this.now() }, { metadataTtl, secretTtl });
      }
      // It moved under us (revealed or burned just now): report what it became.
      return this.viewReceipt(metadataKey, actor);
    }
    return receiptView(receipt, { metadataTtl, secretTtl });
  }

  /** POST /private/:key/burn: destroys an unread secret; a protected one needs its passphrase. */
  async burn(
    metadataKey: string,
    passphrase: string | undefined,
    actor: Actor,
  ): Promise<{ state: ReceiptView; secret_shortkey: string }> {
    const { receipt, metadataTtl } = await this.ownedReceipt(metadataKey, actor);
    if (!LIVE_STATES.includes(receipt.state)) throw errors.unknownSecret(metadataKey);
    const now = this.now();
    const settle: Settle = { to: 'burned', from: OVERRIDABLE_STATES, at: now };
    const claim = await this.store.claim(receipt.secretKey, settle);
    if (claim.status === 'missing') throw errors.unknownSecret(metadataKey);
    if (claim.status === 'protected') {
      const stored = decodeSecretRecord(claim.record);
      if (!stored) throw errors.unknownSecret(metadataKey);
      await this.checkPassphrase(receipt.secretKey, stored.sealed, passphrase, claim.failedAttempts, claim.attemptsTtl, () =>
        errors.incorrectPassphrase(),
      );
      if (!(await this.store.claimIfUnchanged(receipt.secretKey, claim.record, settle))) throw errors.unknownSecret(metadataKey);
    }
    this.events.burned?.();
    const burned = receiptView({ ...receipt, state: 'burned', updated: now }, { metadataTtl, secretTtl: null });
    return { state: burned, secret_shortkey: shortKey(receipt.secretKey) };
  }

  /** GET /private/recent: the account's live receipts, newest first. */
  async recent(actor: Actor): Promise<ReceiptView[]> {
    if (!actor.isAccount) throw errors.notAuthorized();
    const keys = await this.store.recent(actor.custid, this.config.recentLimit);
    const found = await Promise.all(keys.map((k) => this.store.getReceipt(k)));
    return found
      .filter((f): f is NonNullable<typeof f> => f !== null && f.receipt.custid === actor.custid)
      .sort((a, b) => b.receipt.created - a.receipt.created)
      .map((f) => recentView(f.receipt, { metadataTtl: f.metadataTtl, secretTtl: null }));
  }

  private async ownedReceipt(metadataKey: string, actor: Actor) {
    if (!isWellFormedKey(metadataKey)) throw errors.unknownSecret(metadataKey);
    const found = await this.store.getReceipt(metadataKey);
    if (!found) throw errors.unknownSecret(metadataKey);
    this.checkOwner(found.receipt, actor);
    return found;
  }

  private checkOwner(receipt: ReceiptRecord, actor: Actor): void {
    if (!mayView(receipt.custid, this.viewerOf(actor))) throw errors.notAuthorized();
  }

  /** Who a receipt is shown to, in mayView's terms: the actor's account with RECEIPTS_OWNER_ONLY, else anyone. */
  private viewerOf(actor: Actor): string | undefined {
    return this.config.receiptsOwnerOnly ? actor.custid : undefined;
  }
}

/**
 * Seconds until a guessing window ends, from its counter's TTL: at least 1, since a window in its last second reads
 * as 0 (Redis rounds, the memory store floors) and is not a fresh window; the whole window if the TTL is unknown.
 */
function retryAfter(ttl: number, window: number): number {
  return ttl >= 0 ? Math.max(1, ttl) : window;
}

/** A share domain is kept only when it is a plain host name; anything else is dropped, never echoed. */
function validShareDomain(raw: string | undefined): string {
  if (raw === undefined) return '';
  const host = raw.trim().toLowerCase();
  const ok = host.length <= 253 && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host);
  return ok ? host : '';
}
