import { generateKey, KEY_LENGTH } from '../domain/keys.js';
import { ANONYMOUS_CUSTID, receiptTtlOf, type ReceiptRecord, type State } from '../domain/receipt.js';
import { decodeSecretRecord, isProtectedRecord } from '../domain/secret-record.js';
import { keyInSlot, keySlot, SLOT_SUFFIX_LENGTH } from './key-slot.js';
import { decodeReceipt, encodeReceipt, FIELD } from './receipt-codec.js';
import { markBeside, metadataKeyOfHead, RECORD_HEAD_BYTES, unmark } from './stored-record.js';
import { completeView } from './receipt-view.js';
import type { ClaimReply, OtsRedis } from './redis-client.js';
import { RATE_LIMITED_REPLY } from './redis-scripts.js';
import { countApart, settleCharge } from '../domain/rate-charge.js';
import {
  StoreUnavailableError,
  type AccountRecord,
  type AccountStore,
  type ClaimOptions,
  type ClaimResult,
  type RateCharge,
  type ReceiptBefore,
  type ReceiptForView,
  type SecretPeek,
  type SecretStore,
  type RateCounts,
  type Settle,
  type Store,
} from '../domain/store.js';

/**
 * Replies by which Redis says it cannot serve now rather than that the command was wrong: loading its data after a
 * restart, a demoted master during a Sentinel failover, a Cluster resharding or down, a disk it cannot write.
 */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

/**
 * Redis answered with an error of its own (a bug), as opposed to being unreachable or unable to serve. The rule for
 * every reader of the store, `admin stats` included.
 */
export function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(err.message);
}

async function guard<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    if (isReplyError(err)) throw err;
    throw new StoreUnavailableError(err);
  }
}

/** The receipt field that says it is kept beside its secret, in the secret's Cluster slot. */
const BESIDE_FIELD = [FIELD.beside, '1'];
/** What the view script answers for a secret it did not look at. */
const NOT_READ = -3;

/**
 * A charged script's answer, or the rate limit's refusal when the script stopped at its count: the count passed
 * the limit (the reply carries the window's ms left) and nothing else was done.
 */
async function chargedCall<T>(charge: RateCharge, op: Promise<T>): Promise<T> {
  charge.counted = true;
  try {
    return await guard(op);
  } catch (err) {
    const ms = err instanceof Error && err.message.startsWith(RATE_LIMITED_REPLY) ? Number(err.message.split(' ')[1]) : NaN;
    if (Number.isNaN(ms)) throw err;
    throw settleCharge(charge, charge.limit + 1, ms)!;
  }
}

/** A receipt from the flat field, value list a script's HGETALL answers (Buffers in a Buffer command's reply). */
function receiptOf(metadataKey: string, flat: (string | Buffer)[]): ReceiptRecord | undefined {
  const fields: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i]!.toString()] = flat[i + 1]!.toString();
  return decodeReceipt(metadataKey, fields) ?? undefined;
}

/** A look at a secret from its record's head and PTTL; null when it is gone. */
function lookOf(head: Buffer, pttl: number): SecretPeek | null {
  const metadataKey = metadataKeyOfHead(head);
  if (metadataKey === null || pttl < 0) return null;
  return { passphraseProtected: isProtectedRecord(head), ttl: wholeSeconds(pttl), metadataKey };
}

/** Redis's TTL rounds to the nearest second; the contract reports remaining time rounded down. */
function wholeSeconds(pttl: number): number {
  return Math.floor(pttl / 1000);
}

export class RedisKeys {
  constructor(private readonly prefix: string) {}
  // The secret and its attempt counter share a hash tag: one slot, so one script may touch both.
  secret = (key: string) => `${this.prefix}secret:{${key}}`;
  /** A secret's key name is these two around the secret key (for scripts that find it in a receipt). */
  secretAround = (): [string, string] => [`${this.prefix}secret:{`, '}'];
  attempts = (key: string) => `${this.prefix}attempts:{${key}}`;
  receipt = (key: string) => `${this.prefix}receipt:${key}`;
  recent = (custid: string) => `${this.prefix}recent:${custid}`;
  account = (email: string) => `${this.prefix}account:${email}`;
  accountId = (id: string) => `${this.prefix}account-id:${id}`;
  rateCount = (key: string) => `${this.prefix}ratelimit:${key}`;
  accountIndex = () => `${this.prefix}accounts`;
}

export class RedisSecretStore implements SecretStore {
  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly rateCounts: RedisRateCounts,
    /** Whether a charge may ride in the operation's script: not on Cluster, where the counter is in another slot. */
    private readonly chargesRide: boolean,
  ) {}

  /** The charge that rides in this operation's script, after counting any that cannot. */
  private async riding(charge: RateCharge | undefined, inScript: boolean): Promise<RateCharge | undefined> {
    if (!charge || charge.counted) return undefined;
    if (this.chargesRide && inScript) return charge;
    await countApart(this.rateCounts, charge);
    return undefined;
  }

  /** A script call, in its charged form when the charge rides in it (counted first, refused past the budget). */
  private async call<T>(
    charge: RateCharge | undefined,
    plain: () => Promise<T>,
    charged: (counter: string, windowMs: number, limit: number) => Promise<T>,
  ): Promise<T> {
    const rides = await this.riding(charge, true);
    return rides ? chargedCall(rides, charged(...this.chargeArgs(rides))) : guard(plain());
  }

  /** A charge's key and the two arguments a charged script takes last. */
  private chargeArgs(charge: RateCharge): [counter: string, windowMs: number, limit: number] {
    return [this.keys.rateCount(charge.key), charge.windowMs, charge.limit];
  }

  /**
   * A metadata key whose receipt hashes to the secret's Cluster slot, so that one script can take the secret and
   * settle its receipt (27 random characters, about 140 bits, and 4 chosen ones). Falls back to a plain random key
   * when REDIS_PREFIX's own hash tag makes that impossible; such receipts are settled by a second command.
   */
  newMetadataKey(secretKey: string): string {
    const head = generateKey(KEY_LENGTH - SLOT_SUFFIX_LENGTH);
    return keyInSlot(head, this.keys.receipt, keySlot(this.keys.secret(secretKey))) ?? generateKey();
  }

  /** Whether a secret's receipt is kept beside it: exactly when both hash to one slot (create decides so). */
  private isBeside(secretKey: string, metadataKey: string): boolean {
    return keySlot(this.keys.secret(secretKey)) === keySlot(this.keys.receipt(metadataKey));
  }

  /** A record as this store keeps it (marked when its receipt is beside it). */
  private storedForm(secretKey: string, record: Buffer): Buffer {
    const metadataKey = decodeSecretRecord(record)?.metadataKey;
    return metadataKey && this.isBeside(secretKey, metadataKey) ? markBeside(record) : record;
  }

  async create(secretKey: string, record: Buffer, receipt: ReceiptRecord, recentLimit: number, charge?: RateCharge): Promise<void> {
    const fields = encodeReceipt(receipt);
    const receiptTtl = receiptTtlOf(receipt.ttl);
    const secretName = this.keys.secret(secretKey);
    const receiptName = this.keys.receipt(receipt.metadataKey);
    const recent = receipt.custid === ANONYMOUS_CUSTID ? undefined : this.keys.recent(receipt.custid);
    const beside = this.isBeside(secretKey, receipt.metadataKey);
    const rides = await this.riding(charge, beside);
    if (!beside) {
      // Two commands sent back to back, without a cross-slot transaction (the charge, if any, was counted above).
      const writes = [this.redis.set(secretName, record, 'EX', receipt.ttl), this.redis.otsPutReceipt(receiptName, receiptTtl, ...fields)];
      await guard(Promise.all([...writes, ...(recent ? [this.addRecent(recent, receipt, recentLimit)] : [])]));
      return;
    }
    // One script for secret and receipt (one slot), and outside Cluster the owner's recent list and the rate count.
    const recentJoins = recent !== undefined && this.chargesRide;
    const keys = [secretName, receiptName, ...(recentJoins ? [recent] : [])];
    const entry = recentJoins ? [receipt.created, receipt.metadataKey, recentLimit] : ['', '', ''];
    const args = [markBeside(record), receipt.ttl, receiptTtl, ...entry, ...fields, ...BESIDE_FIELD];
    if (rides) {
      const [counter, windowMs, limit] = this.chargeArgs(rides);
      await chargedCall(rides, this.redis.otsCreateBesideCharged(keys.length + 1, ...keys, counter, ...args, windowMs, limit));
      return;
    }
    const create = this.redis.otsCreateBeside(keys.length, ...keys, ...args);
    await guard(Promise.all([create, ...(recent && !recentJoins ? [this.addRecent(recent, receipt, recentLimit)] : [])]));
  }

  /** Puts a receipt in its owner's recent list (a script of its own: on Cluster the list is in another slot). */
  private addRecent(recent: string, receipt: ReceiptRecord, recentLimit: number): Promise<number> {
    return this.redis.otsAddRecent(recent, receipt.created, receipt.metadataKey, recentLimit, receiptTtlOf(receipt.ttl));
  }

  async claim(secretKey: string, { settle, charge, withReceipt }: ClaimOptions = {}): Promise<ClaimResult> {
    const [secret, attempts] = [this.keys.secret(secretKey), this.keys.attempts(secretKey)];
    const argv = [this.keys.receipt(''), withReceipt ? '1' : '', ...(settle ? [settle.to, settle.at, ...settle.from] : ['', 0])];
    const out = await this.call<ClaimReply | null>(
      charge,
      () => this.redis.otsClaimBuffer(secret, attempts, ...argv),
      (counter, windowMs, limit) => this.redis.otsClaimChargedBuffer(secret, attempts, counter, ...argv, windowMs, limit),
    );
    if (!out) return { status: 'missing' };
    const [stored, failedAttempts, ttl, stateBefore, updatedBefore, receiptFields] = out;
    const { record, beside } = unmark(stored);
    const metadataKey = decodeSecretRecord(record)?.metadataKey;
    const receipt = withReceipt && metadataKey ? await this.receiptFrom(metadataKey, receiptFields) : undefined;
    const asRead = receipt ? { receipt } : {};
    if (isProtectedRecord(record)) return { status: 'protected', record, failedAttempts, attemptsTtl: ttl, ...asRead };
    const claimed = { status: 'claimed' as const, record, pttl: ttl, ...asRead };
    if (!settle || !metadataKey) return claimed;
    // Settled by the script when the receipt is beside the secret; one kept apart, by a second step.
    const before = beside
      ? stateBefore && [stateBefore.toString(), updatedBefore!.toString()]
      : await this.settle(metadataKey, settle);
    return before ? { ...claimed, before: { metadataKey, state: before[0] as State, updated: Number(before[1]) } } : claimed;
  }

  /**
   * The receipt as a script read it beside its secret (same slot), or, for one kept apart, which the script could
   * not read, as a step of its own reads it now.
   */
  private async receiptFrom(metadataKey: string, readBeside: Buffer[] | null): Promise<ReceiptRecord | undefined> {
    return readBeside ? receiptOf(metadataKey, readBeside) : (await this.getReceipt(metadataKey))?.receipt;
  }

  /** Moves a receipt as `settle` says; its state and update time before, or null when it did not move. */
  private async settle(metadataKey: string, settle: Settle): Promise<[string, string] | null> {
    return guard(this.redis.otsSettle(this.keys.receipt(metadataKey), settle.to, settle.at, ...settle.from));
  }

  async restore(secretKey: string, record: Buffer, pttl: number, before?: ReceiptBefore, settle?: Settle): Promise<void> {
    if (pttl > 0) await guard(this.redis.otsRestore(this.keys.secret(secretKey), this.storedForm(secretKey, record), pttl));
    if (before && settle) {
      const receipt = this.keys.receipt(before.metadataKey);
      await guard(this.redis.otsUnsettle(receipt, settle.to, settle.at, before.state, before.updated));
    }
  }

  async claimIfUnchanged(secretKey: string, record: Buffer, settle?: Settle): Promise<boolean> {
    const [secret, attempts] = [this.keys.secret(secretKey), this.keys.attempts(secretKey)];
    const metadataKey = decodeSecretRecord(record)?.metadataKey;
    const beside = metadataKey !== undefined && this.isBeside(secretKey, metadataKey);
    const stored = beside ? markBeside(record) : record;
    if (settle && metadataKey && beside) {
      const receipt = this.keys.receipt(metadataKey);
      return (await guard(this.redis.otsClaimIfUnchangedSettle(secret, attempts, receipt, stored, settle.to, settle.at, ...settle.from))) === 1;
    }
    const won = (await guard(this.redis.otsClaimIfUnchanged(secret, attempts, stored))) === 1;
    if (won && settle && metadataKey) await this.settle(metadataKey, settle);
    return won;
  }

  async recordFailedAttempt(secretKey: string, windowSeconds: number): Promise<{ attempts: number; ttl: number }> {
    const [attempts, ttl] = await guard(this.redis.otsFailedAttempt(this.keys.attempts(secretKey), windowSeconds));
    return { attempts, ttl };
  }

  async getReceipt(metadataKey: string): Promise<{ receipt: ReceiptRecord; metadataTtl: number } | null> {
    const key = this.keys.receipt(metadataKey);
    const [fields, pttl] = await guard(Promise.all([this.redis.hgetall(key), this.redis.pttl(key)]));
    const receipt = decodeReceipt(metadataKey, fields);
    if (!receipt || pttl < 0) return null;
    return { receipt, metadataTtl: wholeSeconds(pttl) };
  }

  async viewReceipt(metadataKey: string, viewer: string | undefined, charge?: RateCharge): Promise<ReceiptForView | null> {
    const key = this.keys.receipt(metadataKey);
    const argv: [string, string, string] = [...this.keys.secretAround(), viewer ?? ''];
    const out = await this.call(
      charge,
      () => this.redis.otsViewReceipt(key, ...argv),
      (counter, windowMs, limit) => this.redis.otsViewReceiptCharged(key, counter, ...argv, windowMs, limit),
    );
    if (!out) return null;
    const [flat, pttl, secretPttl] = out;
    const receipt = receiptOf(metadataKey, flat);
    if (!receipt || pttl < 0) return null;
    const found = { receipt, metadataTtl: wholeSeconds(pttl) };
    // The script moved a first view; it did not look at the secret for a settled receipt or one kept apart.
    const known = secretPttl === NOT_READ ? undefined : secretPttl >= 0 ? wholeSeconds(secretPttl) : null;
    return completeView(this, found, { secretTtl: known, moved: true });
  }

  async secretTtl(secretKey: string): Promise<number | null> {
    const pttl = await guard(this.redis.pttl(this.keys.secret(secretKey)));
    return pttl >= 0 ? wholeSeconds(pttl) : null;
  }

  async peek(secretKey: string): Promise<SecretPeek | null> {
    const key = this.keys.secret(secretKey);
    // Only the record's head (passphrase flag and metadata key) is read: the sealed value never leaves Redis here.
    const [head, pttl] = await guard(Promise.all([this.redis.getrangeBuffer(key, 0, RECORD_HEAD_BYTES), this.redis.pttl(key)]));
    return lookOf(head, pttl);
  }

  async inspect(secretKey: string, charge?: RateCharge): Promise<{ found: SecretPeek; receipt: ReceiptRecord | undefined } | null> {
    const key = this.keys.secret(secretKey);
    const argv: [string, number] = [this.keys.receipt(''), RECORD_HEAD_BYTES];
    const out = await this.call(
      charge,
      () => this.redis.otsInspectBuffer(key, ...argv),
      (counter, windowMs, limit) => this.redis.otsInspectChargedBuffer(key, counter, ...argv, windowMs, limit),
    );
    if (!out) return null;
    const [head, pttl, receiptFields] = out;
    const found = lookOf(head, pttl);
    if (!found) return null;
    return { found, receipt: await this.receiptFrom(found.metadataKey, receiptFields) };
  }

  async setMemo(metadataKey: string, memo: string): Promise<boolean> {
    return (await guard(this.redis.otsSetReceiptField(this.keys.receipt(metadataKey), FIELD.memo, memo))) === 1;
  }

  async transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean> {
    return (await this.settle(metadataKey, { to, from, at })) !== null;
  }

  async recent(custid: string, limit: number): Promise<string[]> {
    return guard(this.redis.zrevrange(this.keys.recent(custid), 0, limit - 1));
  }
}

export class RedisAccountStore implements AccountStore {
  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
  ) {}

  async getAccount(email: string): Promise<AccountRecord | null> {
    const f = await guard(this.redis.hgetall(this.keys.account(email)));
    return f.h ? { email, tokenHash: f.h, created: Number(f.c), customerId: f.ur ?? '', organizationId: f.on ?? '' } : null;
  }

  async emailOfId(id: string): Promise<string | null> {
    return guard(this.redis.get(this.keys.accountId(id)));
  }

  async putAccount(a: AccountRecord): Promise<void> {
    const fields = ['h', a.tokenHash, 'c', String(a.created), 'ur', a.customerId, 'on', a.organizationId];
    await guard(
      Promise.all([
        this.redis.hset(this.keys.account(a.email), ...fields),
        this.redis.sadd(this.keys.accountIndex(), a.email),
        this.redis.set(this.keys.accountId(a.customerId), a.email),
        this.redis.set(this.keys.accountId(a.organizationId), a.email),
      ]),
    );
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const emails = (await guard(this.redis.smembers(this.keys.accountIndex()))).sort();
    const found = await Promise.all(emails.map((e) => this.getAccount(e)));
    return found.filter((a): a is AccountRecord => a !== null);
  }

  async deleteAccount(email: string): Promise<boolean> {
    const account = await this.getAccount(email);
    const ids = account ? [account.customerId, account.organizationId].filter(Boolean).map(this.keys.accountId) : [];
    const [deleted] = await guard(
      Promise.all([
        this.redis.del(this.keys.account(email)),
        this.redis.srem(this.keys.accountIndex(), email),
        ...ids.map((k) => this.redis.del(k)),
      ]),
    );
    return deleted === 1;
  }
}

/** Rate counts in Redis under the store's prefix, so every instance on this Redis shares one count per client. */
export class RedisRateCounts implements RateCounts {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: OtsRedis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const [count, ttlMs] = await guard(this.redis.otsRateLimitHit(this.keys.rateCount(key), windowMs));
    return { count, ttlMs };
  }
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly secrets: RedisSecretStore;
  readonly accounts: RedisAccountStore;
  readonly rateCounts: RedisRateCounts;
  readonly chargesRide: boolean;

  constructor(
    readonly redis: OtsRedis,
    /** Prefix of every key this store writes, its rate counts included. */
    readonly prefix: string,
  ) {
    const keys = new RedisKeys(prefix);
    this.rateCounts = new RedisRateCounts(redis, prefix);
    this.chargesRide = !redis.isCluster;
    this.secrets = new RedisSecretStore(redis, keys, this.rateCounts, this.chargesRide);
    this.accounts = new RedisAccountStore(redis, keys);
  }

  async ping(): Promise<void> {
    await guard(this.redis.ping());
  }

  async close(): Promise<void> {
    // QUIT needs a live connection; a client that is still (re)connecting is simply dropped, with its retry timer.
    if (this.redis.status !== 'ready') {
      this.redis.disconnect();
      return;
    }
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
