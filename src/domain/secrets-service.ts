// The rules of the contract, with no knowledge of HTTP: create, reveal once, look, burn; the receipts' rules are its
// base (receipts-service.ts), the passphrase guessing limit its guard (passphrase-guard.ts).

import { open, seal, SealError } from '../crypto/seal.js';
import type { ClaimResult, SecretStore, Settle } from './store.js';
import { errors, OtsError } from './errors.js';
import { generateKey, isWellFormedKey, shortKey } from './keys.js';
import { generatePassword, PASSWORD_DEFAULT_LENGTH, type CharacterSets } from './password.js';
import { ANONYMOUS_CUSTID, OVERRIDABLE_STATES, receiptTtlOf, UNREAD_STATES, type ReceiptRecord, type SecretKind } from './receipt.js';
import { ANONYMOUS, checkBatch, ReceiptsService, type Actor, type ReceiptSnapshot } from './receipts-service.js';
import { PassphraseGuard } from './passphrase-guard.js';
import { isEmail, obfuscateEmail } from './recipient.js';
import { clampTtl, parseTtl, type TtlLimits } from './ttl.js';

export { ANONYMOUS, BATCH_MAX, MEMO_MAX_LENGTH, RECENT_WINDOW_SECONDS, type Actor, type ReceiptSnapshot } from './receipts-service.js';

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

/** What a v2 burn did, and the receipt it answers. */
export interface BurnOutcome {
  burned: boolean;
  snapshot: ReceiptSnapshot;
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
  /**
   * An incoming secret was stored (after `created`): `event` is what a webhook may carry (`incoming.received`);
   * `delivery` is for the mailer only and never leaves the process.
   */
  incomingReceived?(event: IncomingReceivedEvent, delivery: { receipt: ReceiptRecord; address: string }): void;
}

/** The `incoming.received` event: never a key, an address, the memo or the value. */
export interface IncomingReceivedEvent {
  receiptShortid: string;
  recipientDigest: string;
  displayName: string;
  created: number;
  expires: number;
}

/** What incoming-service.ts decides for a submitted secret; the rest is an ordinary anonymous create. */
export interface IncomingFacts {
  ttl: number;
  passphrase: string | undefined;
  recipient: string; // obfuscated address
  recipientName: string;
  recipientDigest: string;
  memo: string;
}

export interface Logger {
  error(obj: object, msg: string): void;
}

const PASSPHRASE_MAX_LENGTH = 128;

export class SecretsService extends ReceiptsService {
  private readonly guard: PassphraseGuard;

  constructor(
    store: SecretStore,
    private readonly config: ServiceConfig,
    private readonly masterKeys: Buffer[],
    private readonly log: Logger,
    private readonly events: ServiceEvents = {},
    now: () => number = Date.now,
  ) {
    super(store, config, () => events.expired?.(), now);
    this.guard = new PassphraseGuard(store, masterKeys, config, () => this.events.wrongPassphrase?.());
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

  /** Stores a secret an anonymous sender submitted to an operator's recipient (incoming-service.ts holds its rules). */
  async createIncoming(value: string, facts: IncomingFacts): Promise<ReceiptSnapshot> {
    return this.create(value, { passphrase: facts.passphrase ?? '' }, ANONYMOUS, 'conceal', facts);
  }

  private checkMayCreate(actor: Actor, operation: SecretKind): void {
    if (!this.mayCreate(actor)) throw errors.anonymousDisabled(operation);
  }

  private async create(value: string, input: CreateInput, actor: Actor, kind: SecretKind, incoming?: IncomingFacts): Promise<ReceiptSnapshot> {
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

    // An incoming secret's TTL is the operator's, checked against the TTL bounds at boot.
    const ttl = incoming?.ttl ?? clampTtl(parseTtl(input.ttl, this.config.ttlDefault), this.config, actor.isAccount);
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
    if (incoming) Object.assign(receipt, { source: 'incoming', recipient: incoming.recipient, recipientName: incoming.recipientName, recipientDigest: incoming.recipientDigest, memo: incoming.memo });

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
      value = await this.guard.open(secretKey, secret.sealed, passphrase, claim, () => errors.wrongPassphrase(secretKey));
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
   * A look that does not reveal (v2's show, a reveal that does not commit): the secret's facts, whatever passphrase
   * came with it (none is read). Refused while its guessing is locked; unknown when it is gone.
   */
  async look(secretKey: string): Promise<SecretInfo> {
    const found = isWellFormedKey(secretKey) ? await this.store.inspect(secretKey) : null;
    if (!found) throw errors.unknownSecret(secretKey);
    this.guard.checkUnlocked(found);
    return this.infoOf(secretKey, found.passphraseProtected, found.ttl, found.receipt);
  }

  /** The facts of each known secret among `secretKeys`, in their order; at most BATCH_MAX may be asked at once. */
  async inspectMany(secretKeys: readonly string[]): Promise<SecretInfo[]> {
    checkBatch(secretKeys);
    const found = await Promise.all(secretKeys.map((key) => this.inspect(key)));
    return found.filter((info) => info !== null);
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

  /** Destroys an unread secret; a protected one needs its passphrase. Answers the receipt after the burn. */
  async burn(metadataKey: string, passphrase: string | undefined, actor: Actor): Promise<ReceiptSnapshot> {
    const { receipt, metadataTtl } = await this.ownedReceipt(metadataKey, actor);
    if (!UNREAD_STATES.includes(receipt.state)) throw errors.secretGone(metadataKey);
    const now = this.now();
    const settle: Settle = { to: 'burned', from: OVERRIDABLE_STATES, at: now };
    const claim = await this.store.claim(receipt.secretKey, settle);
    if (claim.status === 'missing') throw errors.secretGone(metadataKey);
    if (claim.status === 'protected') {
      await this.guard.open(receipt.secretKey, claim.secret.sealed, passphrase, claim, () => errors.incorrectPassphrase());
      if (!(await this.store.claimIfUnchanged(receipt.secretKey, claim.secret, settle))) throw errors.secretGone(metadataKey);
    }
    this.events.burned?.();
    return { receipt: { ...receipt, state: 'burned', updated: now }, metadataTtl, secretTtl: null };
  }

  /**
   * v2's burn: burns when the request commits; otherwise, or when the secret is already gone (maybe just now, by a
   * concurrent request), answers the receipt as it is with `burned: false`. One that does not commit reads no
   * passphrase and is refused only while the secret's guessing is locked.
   */
  async burnIfCommitted(metadataKey: string, passphrase: string | undefined, actor: Actor, commit: boolean): Promise<BurnOutcome> {
    if (commit) {
      try {
        return { burned: true, snapshot: await this.burn(metadataKey, passphrase, actor) };
      } catch (err) {
        if (!(err instanceof OtsError) || err.code !== 'secret_gone') throw err;
      }
    } else {
      const { receipt } = await this.ownedReceipt(metadataKey, actor);
      const look = UNREAD_STATES.includes(receipt.state) ? await this.store.inspect(receipt.secretKey) : null;
      if (look) this.guard.checkUnlocked(look);
    }
    return { burned: false, snapshot: await this.viewReceipt(metadataKey, actor) };
  }
}

/** A share domain is kept only when it is a plain host name; anything else is dropped, never echoed. */
function validShareDomain(raw: string | undefined): string {
  if (raw === undefined) return '';
  const host = raw.trim().toLowerCase();
  const ok = host.length <= 253 && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host);
  return ok ? host : '';
}
