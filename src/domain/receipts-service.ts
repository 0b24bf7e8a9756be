// The receipt half of the service's rules: who may see a receipt, what a view does to it, its memo, the recent
// lists and batches of receipts. SecretsService (secrets-service.ts) builds on it; neither knows HTTP or Redis.
import { errors, OtsError } from './errors.js';
import { isWellFormedKey } from './keys.js';
import { ANONYMOUS_CUSTID, goneState, mayView, UNREAD_STATES, type ReceiptRecord, type State } from './receipt.js';
import { StoreFullError, type ReceiptForView, type SecretStore } from './store.js';

export interface Actor {
  custid: string; // account email, or 'anon'
  isAccount: boolean;
  customerId?: string; // the account's public id (ur…)
}

export const ANONYMOUS: Actor = { custid: ANONYMOUS_CUSTID, isAccount: false };

/** A receipt with its whole seconds left, and its secret's (null once gone): what every receipt answer shows. */
export type ReceiptSnapshot = ReceiptForView;

/** A receipt's memo is plain text: tags dropped, whitespace collapsed, at most this many characters. */
export const MEMO_MAX_LENGTH = 500;

/** Receipts listed by v2's recent: those created within the last 30 days. */
export const RECENT_WINDOW_SECONDS = 30 * 24 * 3600;

/** Most identifiers one batch request may name (the status of secrets, receipts). */
export const BATCH_MAX = 25;

export interface ReceiptRules {
  recentLimit: number;
  receiptsOwnerOnly: boolean;
}

/** v2's recent list: the receipts changed most recently first, and the window they were created in. */
export interface RecentList {
  since: number;
  now: number;
  receipts: ReceiptSnapshot[];
}

export class ReceiptsService {
  protected readonly now: () => number;

  constructor(
    protected readonly store: SecretStore,
    private readonly rules: ReceiptRules,
    private readonly onExpired: () => void,
    now: () => number,
  ) {
    this.now = () => Math.floor(now() / 1000);
  }

  /** Whether the actor is the account that made a secret or receipt (owned by `custid`). */
  isOwner(custid: string, actor: Actor): boolean {
    return actor.isAccount && actor.custid === custid;
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
      if (await this.settleGone(metadataKey, gone)) {
        if (gone === 'expired') this.onExpired();
        return { receipt: { ...receipt, state: gone, updated: this.now() }, metadataTtl, secretTtl };
      }
      // It moved under us (revealed or burned just now): report what it became.
      return this.viewReceipt(metadataKey, actor);
    }
    return found;
  }

  /**
   * Records that an unread receipt's secret is gone; true if this call moved it. A full store (no room for the write)
   * still lets the view answer what it found: the next view records it.
   */
  private async settleGone(metadataKey: string, gone: State): Promise<boolean> {
    try {
      return await this.store.transition(metadataKey, UNREAD_STATES, gone, this.now());
    } catch (err) {
      if (err instanceof StoreFullError) return true;
      throw err;
    }
  }

  /** The receipts among `metadataKeys` this actor may see, in their order (unknown ones left out); at most BATCH_MAX. */
  async viewReceipts(metadataKeys: readonly string[], actor: Actor): Promise<ReceiptSnapshot[]> {
    checkBatch(metadataKeys);
    const found = await Promise.all(
      metadataKeys.map((key) =>
        this.viewReceipt(key, actor).catch((err: unknown) => {
          if (err instanceof OtsError && (err.code === 'unknown_receipt' || err.code === 'not_receipt_owner')) return null;
          throw err;
        }),
      ),
    );
    return found.filter((f) => f !== null);
  }

  /** The account's receipts that are still kept, newest first, at most RECENT_LIMIT (v1's recent). */
  async recent(actor: Actor): Promise<ReceiptSnapshot[]> {
    return (await this.kept(actor)).sort((a, b) => b.receipt.created - a.receipt.created);
  }

  /** v2's recent: the account's receipts created within RECENT_WINDOW_SECONDS, the most recently changed first. */
  async recentlyChanged(actor: Actor): Promise<RecentList> {
    const now = this.now();
    const since = now - RECENT_WINDOW_SECONDS;
    const receipts = (await this.kept(actor))
      .filter((f) => f.receipt.created >= since)
      // A receipt moves up when its secret is revealed or burned.
      .sort((a, b) => b.receipt.updated - a.receipt.updated);
    return { since, now, receipts };
  }

  private async kept(actor: Actor): Promise<ReceiptSnapshot[]> {
    if (!actor.isAccount) throw errors.notAuthorized();
    const keys = await this.store.recent(actor.custid, this.rules.recentLimit);
    const found = await Promise.all(keys.map((k) => this.store.getReceipt(k)));
    return found
      .filter((f): f is NonNullable<typeof f> => f !== null && f.receipt.custid === actor.custid)
      .map((f) => ({ ...f, secretTtl: null }));
  }

  /**
   * Sets a receipt's memo (plain text, at most MEMO_MAX_LENGTH characters); only its owning account may. Without a
   * memo it answers the receipt as a view does, to the owner only: a refused caller changes nothing.
   */
  async setMemo(metadataKey: string, memo: string | undefined, actor: Actor): Promise<ReceiptSnapshot> {
    const found = await this.ownedReceipt(metadataKey, actor);
    if (!this.isOwner(found.receipt.custid, actor)) throw errors.notMemoOwner();
    if (memo === undefined) return this.viewReceipt(metadataKey, actor);
    const clean = plainText(memo).slice(0, MEMO_MAX_LENGTH);
    if (!(await this.store.setMemo(metadataKey, clean))) throw errors.unknownReceipt(metadataKey);
    return { ...found, receipt: { ...found.receipt, memo: clean }, secretTtl: null };
  }

  /** The receipt as it is, if this actor may see it; touches nothing. */
  protected async ownedReceipt(metadataKey: string, actor: Actor) {
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
    return this.rules.receiptsOwnerOnly ? actor.custid : undefined;
  }
}

/** Refuses a batch naming more than BATCH_MAX identifiers, before anything is looked up. */
export function checkBatch(identifiers: readonly string[]): void {
  if (identifiers.length > BATCH_MAX) throw errors.tooManyIdentifiers(BATCH_MAX);
}

/** Text without tags, with runs of whitespace as one space. */
function plainText(raw: string): string {
  return raw.replace(/<[^>]*(?:>|$)/g, '').replace(/\s+/g, ' ').trim();
}
