// The Redis store: secrets, receipts and recent lists in Lua scripts (redis-scripts.ts), one script per step.
import { generateKey, KEY_LENGTH } from '../domain/keys.js';
import { ANONYMOUS_CUSTID, receiptTtlOf, type ReceiptRecord, type State } from '../domain/receipt.js';
import { StoreFullError, type ClaimResult, type ReceiptForView, type SecretLook, type SecretStore, type Settle, type Store, type StoredSecret } from '../domain/store.js';
import { Fullness } from './fullness.js';
import { keyInSlot, keySlot, SLOT_SUFFIX_LENGTH } from './key-slot.js';
import { decodeReceipt, encodeReceipt, FIELD } from './receipt-codec.js';
import type { OtsRedis } from './redis-client.js';
import { commit, DEFAULT_WAITS, read, type Waits } from './redis-guard.js';
import { RedisAccountStore, RedisRateCounts } from './redis-accounts.js';
import { RedisKeys } from './redis-keys.js';
import { decodeHead, decodeRecord, encodeRecord, RECORD_HEAD_BYTES } from './stored-record.js';
import { EventRecorder } from './redis-event-recorder.js';
import { RedisWebhookQueue, RedisWebhookTargets } from './redis-webhook-queue.js';
import { claimEventOf, type JournalSettings, type WebhookEventType } from '../domain/webhook-queue.js';

/** A receipt from the flat field, value list a script's HGETALL answers (Buffers in a Buffer command's reply). */
function receiptOf(metadataKey: string, flat: (string | Buffer)[]): ReceiptRecord | undefined {
  const fields: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i]!.toString()] = flat[i + 1]!.toString();
  return decodeReceipt(metadataKey, fields) ?? undefined;
}

/** Redis's TTL rounds to the nearest second; the contract reports remaining time rounded down. */
function wholeSeconds(pttl: number): number {
  return Math.floor(pttl / 1000);
}

export class RedisSecretStore implements SecretStore {
  /** Outside Cluster the owner's recent list joins the create's script; on Cluster it is in another slot. */
  private readonly recentJoinsCreate: boolean;

  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly waits: Waits,
    /** Told when a step's late answer could not be undone (see redis-guard.ts commit). */
    private readonly lost: (err: unknown) => void,
    /** Told whether creates find room. */
    private readonly fullness: Fullness,
    /** Records the webhook events of creates and claims. */
    private readonly events: EventRecorder,
  ) {
    this.recentJoinsCreate = !redis.isCluster;
  }

  /**
   * A metadata key whose receipt hashes to the secret's Cluster slot (27 random characters, about 140 bits, and 4
   * chosen ones). When REDIS_PREFIX has a hash tag of its own, every key is in that one slot: any key will do.
   */
  newMetadataKey(secretKey: string): string {
    const head = generateKey(KEY_LENGTH - SLOT_SUFFIX_LENGTH);
    return keyInSlot(head, this.keys.receipt, keySlot(this.keys.secret(secretKey))) ?? generateKey();
  }

  async create(receipt: ReceiptRecord, sealed: Buffer, recentLimit: number): Promise<void> {
    const secret = this.keys.secret(receipt.secretKey);
    const receiptKey = this.keys.receipt(receipt.metadataKey);
    const record = encodeRecord({ metadataKey: receipt.metadataKey, passphraseProtected: receipt.passphraseRequired, sealed });
    const receiptTtl = receiptTtlOf(receipt.ttl);
    const recent = receipt.custid === ANONYMOUS_CUSTID ? undefined : this.keys.recent(receipt.custid);
    const joins = recent !== undefined && this.recentJoinsCreate;
    const journal = this.events.scriptKeys;
    const keys = [secret, receiptKey, ...(joins ? [recent] : []), ...journal];
    const layout = `${joins ? 'r' : ''}${journal.length > 0 ? 'j' : ''}`;
    const entry = joins ? [receipt.created, recentLimit] : ['', ''];
    const args = [layout, record, receipt.ttl, receiptTtl, receipt.metadataKey, ...entry, this.events.wanted, ...encodeReceipt(receipt)];
    const created = this.redis.otsCreate(keys.length, ...keys, ...args);
    // A create we gave up on is removed when it lands late: the caller was told it failed.
    try {
      await commit(created, this.waits, () => this.redis.del(secret, receiptKey), this.lost);
    } catch (err) {
      if (err instanceof StoreFullError) this.fullness.full();
      throw err;
    }
    this.fullness.room();
    if (recent && !joins) await read(this.redis.otsAddRecent(recent, receipt.created, receipt.metadataKey, recentLimit, receiptTtl), this.waits);
    await this.events.afterCreate(receipt);
  }

  async claim(secretKey: string, settle: Settle): Promise<ClaimResult> {
    const keys = [this.keys.secret(secretKey), this.keys.attempts(secretKey), ...this.events.scriptKeys];
    const args = [this.keys.receipt(''), settle.to, settle.at, claimEventOf(settle.to), this.events.wanted, ...settle.from];
    const claimed = this.redis.otsClaimBuffer(keys.length, ...keys, ...args);
    const out = await commit(claimed, this.waits, (late) => this.undoClaim(secretKey, late, settle), this.lost);
    if (!out) return { status: 'missing' };
    const [raw, failedAttempts, left, receiptFields] = out;
    const stored = decodeRecord(raw);
    if (!stored) return { status: 'missing' };
    const receipt = receiptOf(stored.metadataKey, receiptFields);
    if (stored.passphraseProtected) return { status: 'protected', secret: stored, failedAttempts, attemptsTtl: left, receipt };
    await this.events.afterClaim(receipt, settle);
    return { status: 'claimed', secret: stored, pttl: left, receipt };
  }

  /** Puts back what a claim took when its answer came after we gave up: nobody received it. */
  private async undoClaim(secretKey: string, late: Awaited<ReturnType<OtsRedis['otsClaimBuffer']>>, settle: Settle): Promise<void> {
    const stored = late && decodeRecord(late[0]);
    if (!stored || stored.passphraseProtected) return;
    await this.restore(secretKey, stored, late[2], receiptOf(stored.metadataKey, late[3]), settle);
  }

  async claimIfUnchanged(secretKey: string, secret: StoredSecret, settle: Settle): Promise<boolean> {
    const keys = [this.keys.secret(secretKey), this.keys.attempts(secretKey), this.keys.receipt(secret.metadataKey), ...this.events.scriptKeys];
    const args = [encodeRecord(secret), settle.to, settle.at, claimEventOf(settle.to), this.events.wanted, secret.metadataKey, ...settle.from];
    const won = this.redis.otsClaimIfUnchanged(keys.length, ...keys, ...args);
    const undo = async (pttl: number) => (pttl > 0 ? this.restore(secretKey, secret, pttl, undefined, settle) : undefined);
    if ((await commit(won, this.waits, undo, this.lost)) === 0) return false;
    await this.events.afterClaimIfUnchanged(secret.metadataKey, settle);
    return true;
  }

  async restore(secretKey: string, secret: StoredSecret, pttl: number, before: ReceiptRecord | undefined, settle: Settle): Promise<void> {
    const moved = before !== undefined && settle.from.includes(before.state);
    const [stateBefore, updatedBefore] = moved ? [before.state, before.updated] : ['', ''];
    const keys = [this.keys.secret(secretKey), this.keys.receipt(secret.metadataKey)] as const;
    const record = encodeRecord(secret);
    await read(this.redis.otsRestore(...keys, record, Math.max(0, pttl), settle.to, settle.at, stateBefore, updatedBefore), this.waits);
  }

  async recordFailedAttempt(secretKey: string, windowSeconds: number): Promise<{ attempts: number; ttl: number }> {
    const [attempts, ttl] = await read(this.redis.otsFailedAttempt(this.keys.attempts(secretKey), windowSeconds), this.waits);
    return { attempts, ttl };
  }

  async getReceipt(metadataKey: string): Promise<{ receipt: ReceiptRecord; metadataTtl: number } | null> {
    const key = this.keys.receipt(metadataKey);
    const [fields, pttl] = await read(Promise.all([this.redis.hgetall(key), this.redis.pttl(key)]), this.waits);
    const receipt = decodeReceipt(metadataKey, fields);
    if (!receipt || pttl < 0) return null;
    return { receipt, metadataTtl: wholeSeconds(pttl) };
  }

  async viewReceipt(metadataKey: string, viewer: string | undefined): Promise<ReceiptForView | null> {
    const key = this.keys.receipt(metadataKey);
    const out = await read(this.redis.otsViewReceipt(key, ...this.keys.secretAround(), viewer ?? ''), this.waits);
    if (!out) return null;
    const [flat, pttl, secretPttl] = out;
    const receipt = receiptOf(metadataKey, flat);
    if (!receipt || pttl < 0) return null;
    return { receipt, metadataTtl: wholeSeconds(pttl), secretTtl: secretPttl >= 0 ? wholeSeconds(secretPttl) : null };
  }

  async inspect(secretKey: string): Promise<SecretLook | null> {
    const [secret, attempts] = [this.keys.secret(secretKey), this.keys.attempts(secretKey)];
    const out = await read(this.redis.otsInspectBuffer(secret, attempts, this.keys.receipt(''), RECORD_HEAD_BYTES), this.waits);
    if (!out) return null;
    const [head, pttl, receiptFields, failedAttempts, attemptsTtl] = out;
    const found = decodeHead(head);
    if (!found || pttl < 0) return null;
    return { ...found, ttl: wholeSeconds(pttl), receipt: receiptOf(found.metadataKey, receiptFields), failedAttempts, attemptsTtl };
  }

  async setMemo(metadataKey: string, memo: string): Promise<boolean> {
    return (await read(this.redis.otsSetReceiptField(this.keys.receipt(metadataKey), FIELD.memo, memo), this.waits)) === 1;
  }

  async transition(metadataKey: string, from: readonly State[], to: State, at: number): Promise<boolean> {
    return (await read(this.redis.otsSettle(this.keys.receipt(metadataKey), to, at, ...from), this.waits)) === 1;
  }

  async recent(custid: string, limit: number): Promise<string[]> {
    return read(this.redis.zrevrange(this.keys.recent(custid), 0, limit - 1), this.waits);
  }
}

/** Where a late step could not be undone: never a secret, only which step. */
function reportLost(err: unknown): void {
  process.emitWarning(`a Redis step answered after its request had failed and could not be undone: ${String(err)}`, 'OtsStoreWarning');
}

/** Where an event could not be recorded (Cluster only): its type and why, never its facts. */
function reportLostEvent(type: WebhookEventType, err: unknown): void {
  process.emitWarning(`a ${type} webhook event could not be recorded after its change: ${String(err)}`, 'OtsWebhookWarning');
}

export interface RedisStoreOptions {
  waits?: Waits;
  lost?: (err: unknown) => void;
  /** Which events the instance-wide endpoint wants (none without WEBHOOK_URL). */
  journal?: JournalSettings;
  lostEvent?: (type: WebhookEventType, err: unknown) => void;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  readonly secrets: RedisSecretStore;
  readonly accounts: RedisAccountStore;
  readonly rateCounts: RedisRateCounts;
  readonly webhooks: { queue: RedisWebhookQueue; targets: RedisWebhookTargets };
  /** For /ready: whether creates are refused for want of memory. */
  readonly fullness = new Fullness();
  private readonly waits: Waits;

  constructor(
    readonly redis: OtsRedis,
    /** Prefix of every key this store writes, its rate counts included. */
    readonly prefix: string,
    options: RedisStoreOptions = {},
  ) {
    const keys = new RedisKeys(prefix);
    const waits = (this.waits = options.waits ?? DEFAULT_WAITS);
    const journal = options.journal ?? { instanceEvents: [] };
    const events = new EventRecorder(redis, keys, waits, journal, options.lostEvent ?? reportLostEvent);
    this.secrets = new RedisSecretStore(redis, keys, waits, options.lost ?? reportLost, this.fullness, events);
    this.webhooks = { queue: new RedisWebhookQueue(redis, keys, waits, events), targets: new RedisWebhookTargets(redis, keys, waits) };
    this.accounts = new RedisAccountStore(redis, keys, waits);
    this.rateCounts = new RedisRateCounts(redis, keys, waits);
  }

  async ping(): Promise<void> {
    await read(this.redis.ping(), this.waits);
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
