// The rules of the contract, with no knowledge of HTTP: create, reveal once, receipts, burn, recent.

import { open, seal, SealError } from '../crypto/seal.js';
import type { ClaimResult, ReceiptForView, SecretStore, Settle } from './store.js';
import { errors } from './errors.js';
import { generateKey, isWellFormedKey, shortKey } from './keys.js';
import { generatePassword, PASSWORD_DEFAULT_LENGTH, type CharacterSets } from './password.js';
import {
  ANONYMOUS_CUSTID,
  goneState,
  mayView,
  OVERRIDABLE_STATES,
  receiptTtlOf,
  UNREAD_STATES,
  type ReceiptRecord,
  type SecretKind,
} from './receipt.js';
import { isEmail, obfuscateEmail } from './recipient.js';
import { clampTtl, parseTtl, type TtlLimits } from './ttl.js';

export interface Actor {
  custid: string; // account email, or 'anon'
  isAccount: boolean;
  customerId?: string; // the account's public id (ur…)
}

/** A receipt with its whole seconds left, and its secret's (null once gone): what every receipt answer shows. */
export type ReceiptSnapshot = ReceiptForView;

/** What a look at a secret shows without touching it (v2's secret record). */
export interface SecretInfo {
  secretKey: string;
  passphraseProtected: boolean;
  secretTtl: number; // whole seconds left
  lifespan: number; // the TTL as stored after clamping
  created: number;
  updated: number;
  custid: string; // who made it: an account's email, or 'anon'
}

/** A receipt's memo is plain text: tags dropped, whitespace collapsed, at most this many characters. */
export const MEMO_MAX_LENGTH = 500;

/** Receipts listed by v2's recent: those created within the last 30 days. */
export const RECENT_WINDOW_SECONDS = 30 * 24 * 3600;

export const ANONYMOUS: Actor = { custid: ANONYMOUS_CUSTID, isAccount: false };

export interface ServiceConfig extends TtlLimits {
  maxSecretBytes: number;
  passphraseMinLength: number;
  passphraseMaxAttempts: number;
  passphraseWindow: number;
  recentLimit: number;
  allowAnonymous: boolean;
  receiptsOwnerOnly: boolean;
}

/** Request parameters, as each wire version translates them; an empty passphrase means none. */
export interface CreateInput {
  secret?: string;
  passphrase?: string;
  ttl?: string;
  recipient?: string;
  share_domain?: string;
}

export interface Revealed {
  value: string;
  metadataKey: string;
  /** The secret's facts as they were before the reveal (the time left, gone with the secret, is not part of it). */
  info: Omit<SecretInfo, 'secretTtl'>;
}

export interface GenerateInput extends CreateInput {
  length?: number;
  characterSets?: CharacterSets;
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

  /** Stores the caller's secret (v1 share, v2 conceal); the receipt is answered as new. */
  async share(input: CreateInput, actor: Actor): Promise<ReceiptSnapshot> {
    this.checkMayCreate(actor, 'conceal');
    if (input.secret === undefined || input.secret === '') throw errors.nothingToShare();
    return this.create(input.secret, input, actor, 'conceal');
  }

  /** Stores a random password and returns it once to the creator. */
  async generate(input: GenerateInput, actor: Actor): Promise<ReceiptSnapshot & { value: string }> {
    this.checkMayCreate(actor, 'generate');
    const value = generatePassword(input.length ?? PASSWORD_DEFAULT_LENGTH, input.characterSets);
    return { ...(await this.create(value, input, actor, 'generate')), value };
  }

  /** Whether this actor may create secrets (ALLOW_ANONYMOUS); the web form asks before offering itself. */
  mayCreate(actor: Actor): boolean {
    return actor.isAccount || this.config.allowAnonymous;
  }

  private checkMayCreate(actor: Actor, operation: SecretKind): void {
    if (!this.mayCreate(actor)) throw errors.anonymousDisabled(operation);
  }

  private async create(value: string, input: CreateInput, actor: Actor, kind: SecretKind): Promise<ReceiptSnapshot> {
    if (Buffer.byteLength(value, 'utf8') > this.config.maxSecretBytes) throw errors.secretTooLarge(this.config.maxSecretBytes);
    // The one place that decides whether a secret has a passphrase: an empty one is none.
    const passphrase = input.passphrase === '' ? undefined : input.passphrase;
    if (passphrase !== undefined) {
      const length = [...passphrase].length;
      if (length > PASSPHRASE_MAX_LENGTH) throw errors.passphraseTooLong(PASSPHRASE_MAX_LENGTH);
      if (length < this.config.passphraseMinLength) throw errors.passphraseTooShort(this.config.passphraseMinLength);
    }
    let recipientAddress: string | undefined;
    if (input.recipient !== undefined) {
      if (!actor.isAccount) throw errors.accountRequired();
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
      // The creator has seen a generated value, so its stored receipt starts as viewed; the answer still says new.
      state: kind === 'generate' ? 'viewed' : 'new',
      shareDomain: validShareDomain(input.share_domain),
      passphraseRequired: passphrase !== undefined,
      kind,
    };
    if (actor.customerId) receipt.ownerId = actor.customerId;
    if (recipientAddress) receipt.recipient = obfuscateEmail(recipientAddress);

    const sealed = await seal(value, secretKey, this.masterKeys[0]!, passphrase);
    await this.store.create(receipt, sealed, this.config.recentLimit);
    this.events.created?.(receipt, recipientAddress);
    return { receipt: { ...receipt, state: 'new' }, metadataTtl: receiptTtlOf(ttl), secretTtl: ttl };
  }

  /**
   * The value, once, with the secret's facts as they were before the reveal (v2's record), read in the same step.
   * A wrong or missing passphrase consumes nothing (v1 answers it like an unknown key).
   */
  async reveal(secretKey: string, passphrase: string | undefined): Promise<Revealed> {
    if (!isWellFormedKey(secretKey)) throw errors.unknownSecret(secretKey);
    // The receipt moves to received in the same step that takes the secret.
    const settle: Settle = { to: 'received', from: OVERRIDABLE_STATES, at: this.now() };
    const claim = await this.store.claim(secretKey, settle);
    if (claim.status === 'missing') throw errors.unknownSecret(secretKey);
    const { secret } = claim;
    let value: string;
    if (claim.status === 'claimed') {
      value = await this.openOrRestore(secretKey, claim, settle);
    } else {
      value = await this.checkPassphrase(secretKey, secret.sealed, passphrase, claim.failedAttempts, claim.attemptsTtl, () =>
        errors.wrongPassphrase(secretKey),
      );
      if (!(await this.store.claimIfUnchanged(secretKey, secret, settle))) throw errors.unknownSecret(secretKey);
    }
    this.events.revealed?.();
    // A protected claim does not read the secret's time left; the receipt's TTL is the lifespan either way.
    const secretTtl = claim.status === 'claimed' ? Math.floor(claim.pttl / 1000) : 0;
    const { secretTtl: _unread, ...info } = this.infoOf(secretKey, secret.passphraseProtected, secretTtl, claim.receipt);
    return { value, metadataKey: secret.metadataKey, info };
  }

  /** What v2 shows of a secret: its own facts and its receipt's (or, without a receipt, what is known). */
  private infoOf(secretKey: string, passphraseProtected: boolean, secretTtl: number, receipt: ReceiptRecord | undefined): SecretInfo {
    const now = this.now();
    return {
      secretKey,
      passphraseProtected,
      secretTtl,
      lifespan: receipt?.ttl ?? secretTtl,
      created: receipt?.created ?? now,
      updated: receipt?.created ?? now,
      custid: receipt?.custid ?? ANONYMOUS_CUSTID,
    };
  }

  /**
   * A secret's facts without touching it (the recipient's page, v2's show and status); null when it is gone or
   * never was. Read-only: it never claims the secret nor evaluates or counts a passphrase, so link previews and
   * metadata requests leave it intact.
   */
  async inspect(secretKey: string): Promise<SecretInfo | null> {
    if (!isWellFormedKey(secretKey)) return null;
    const found = await this.store.inspect(secretKey);
    return found && this.infoOf(secretKey, found.passphraseProtected, found.ttl, found.receipt);
  }

  /**
   * A secret taken from the store that does not open (a misconfigured master key) is put back, never lost, and
   * its receipt with it.
   */
  private async openOrRestore(secretKey: string, claim: Extract<ClaimResult, { status: 'claimed' }>, settle: Settle): Promise<string> {
    try {
      return await open(claim.secret.sealed, secretKey, this.masterKeys);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      await this.store.restore(secretKey, claim.secret, claim.pttl, claim.receipt, settle);
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
    if (failedAttempts >= max) throw errors.tooManyAttempts(retryAfter(attemptsTtl, window), max);
    if (passphrase === undefined || passphrase === '') throw wrong();
    const counted = await this.store.recordFailedAttempt(secretKey, window);
    if (counted.attempts > max) throw errors.tooManyAttempts(retryAfter(counted.ttl, window), max);
    try {
      return await open(sealed, secretKey, this.masterKeys, passphrase);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      this.events.wrongPassphrase?.();
      throw wrong();
    }
  }

  /** The receipt; new moves to viewed (the creator has seen it), a vanished secret to expired or orphaned. */
  async viewReceipt(metadataKey: string, actor: Actor): Promise<ReceiptSnapshot> {
    if (!isWellFormedKey(metadataKey)) throw errors.unknownReceipt(metadataKey);
    // One step reads the receipt and its secret's time left and moves a first view to viewed (for the owner only
    // when RECEIPTS_OWNER_ONLY); the ownership check below then decides what the caller gets.
    const found = await this.store.viewReceipt(metadataKey, this.viewerOf(actor));
    if (!found) throw errors.unknownReceipt(metadataKey);
    this.checkOwner(found.receipt, actor);
    const { receipt, metadataTtl, secretTtl } = found;
    if (UNREAD_STATES.includes(receipt.state) && secretTtl === null) {
      const gone = goneState(receipt, this.now());
      if (await this.store.transition(metadataKey, UNREAD_STATES, gone, this.now())) {
        if (gone === 'expired') this.events.expired?.();
        return { receipt: { ...receipt, state: gone, updated: this.now() }, metadataTtl, secretTtl };
      }
      // It moved under us (revealed or burned just now): report what it became.
      return this.viewReceipt(metadataKey, actor);
    }
    return found;
  }

  /** Destroys an unread secret; a protected one needs its passphrase. Answers the receipt after the burn. */
  async burn(metadataKey: string, passphrase: string | undefined, actor: Actor): Promise<ReceiptSnapshot> {
    const { receipt, metadataTtl } = await this.ownedReceipt(metadataKey, actor);
    if (!UNREAD_STATES.includes(receipt.state)) throw errors.secretGone(metadataKey);
    const now = this.now();
    const settle: Settle = { to: 'burned', from: OVERRIDABLE_STATES, at: now };
    const claim = await this.store.claim(receipt.secretKey, settle);
    if (claim.status === 'missing') throw errors.secretGone(metadataKey);
    if (claim.status === 'protected') {
      await this.checkPassphrase(receipt.secretKey, claim.secret.sealed, passphrase, claim.failedAttempts, claim.attemptsTtl, () =>
        errors.incorrectPassphrase(),
      );
      if (!(await this.store.claimIfUnchanged(receipt.secretKey, claim.secret, settle))) throw errors.secretGone(metadataKey);
    }
    this.events.burned?.();
    return { receipt: { ...receipt, state: 'burned', updated: now }, metadataTtl, secretTtl: null };
  }

  /**
   * The account's receipts that are still kept, newest first, at most RECENT_LIMIT; with `sinceSeconds` only those
   * created since then.
   */
  async recent(actor: Actor, sinceSeconds?: number): Promise<ReceiptSnapshot[]> {
    if (!actor.isAccount) throw errors.notAuthorized();
    const keys = await this.store.recent(actor.custid, this.config.recentLimit);
    const found = await Promise.all(keys.map((k) => this.store.getReceipt(k)));
    return found
      .filter((f): f is NonNullable<typeof f> => f !== null && f.receipt.custid === actor.custid)
      .filter((f) => sinceSeconds === undefined || f.receipt.created >= sinceSeconds)
      .sort((a, b) => b.receipt.created - a.receipt.created)
      .map((f) => ({ ...f, secretTtl: null }));
  }

  /** Sets a receipt's memo (plain text, at most MEMO_MAX_LENGTH characters); only its owning account may. */
  async setMemo(metadataKey: string, memo: string, actor: Actor): Promise<ReceiptSnapshot> {
    const found = await this.ownedReceipt(metadataKey, actor);
    if (!actor.isAccount || found.receipt.custid !== actor.custid) throw errors.notMemoOwner();
    const clean = plainText(memo).slice(0, MEMO_MAX_LENGTH);
    if (!(await this.store.setMemo(metadataKey, clean))) throw errors.unknownReceipt(metadataKey);
    return { ...found, receipt: { ...found.receipt, memo: clean }, secretTtl: null };
  }

  private async ownedReceipt(metadataKey: string, actor: Actor) {
    if (!isWellFormedKey(metadataKey)) throw errors.unknownReceipt(metadataKey);
    const found = await this.store.getReceipt(metadataKey);
    if (!found) throw errors.unknownReceipt(metadataKey);
    this.checkOwner(found.receipt, actor);
    return found;
  }

  private checkOwner(receipt: ReceiptRecord, actor: Actor): void {
    if (!mayView(receipt.custid, this.viewerOf(actor))) throw errors.notReceiptOwner(receipt.metadataKey);
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

/** Text without tags, with runs of whitespace as one space. */
function plainText(raw: string): string {
  return raw.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
}

/** A share domain is kept only when it is a plain host name; anything else is dropped, never echoed. */
function validShareDomain(raw: string | undefined): string {
  if (raw === undefined) return '';
  const host = raw.trim().toLowerCase();
  const ok = host.length <= 253 && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host);
  return ok ? host : '';
}
