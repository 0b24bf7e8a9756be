// The receipt (metadata) record as stored, its states and the rules on them. Its wire views are each version's
// (src/api/v1/receipt-view.ts, src/api/v2/shapes.ts).

export const STATES = ['new', 'viewed', 'received', 'burned', 'expired', 'orphaned'] as const;
export type State = (typeof STATES)[number];

/** A receipt outlives its secret: it is kept for twice the secret's TTL. */
export function receiptTtlOf(secretTtl: number): number {
  return secretTtl * 2;
}

// Two words, one meaning each: a receipt is *live* while the store still keeps it, in any state (what
// /private/recent lists and `admin stats` counts); its secret is *unread* while the receipt is new or viewed.

/** States in which the secret is unread: it may still exist and can be revealed or burned. */
export const UNREAD_STATES: readonly State[] = ['new', 'viewed'];
/** A guess made while the secret was missing; a late reveal or burn that actually happened overrides it. */
export const OVERRIDABLE_STATES: readonly State[] = ['new', 'viewed', 'orphaned', 'expired'];

/**
 * Whether `viewer` may see a receipt owned by `owner`: undefined stands for anyone (receipts are not owner-only),
 * a custid for that account, which sees its own receipts and those of anonymous secrets.
 */
export function mayView(owner: string, viewer: string | undefined): boolean {
  return viewer === undefined || owner === ANONYMOUS_CUSTID || owner === viewer;
}

/** The custid of a secret made without an account. */
export const ANONYMOUS_CUSTID = 'anon';

export interface ReceiptRecord {
  metadataKey: string;
  secretKey: string;
  custid: string; // account email, or 'anon'
  ttl: number; // the secret's TTL as stored after clamping
  created: number; // epoch seconds
  updated: number;
  state: State;
  received?: number;
  recipient?: string; // obfuscated address only
  shareDomain: string;
  passphraseRequired: boolean;
  kind: SecretKind;
  ownerId?: string; // the account's customer id, for account secrets
  memo?: string;
  /** 'incoming': submitted to an operator's recipient, whose link no receipt view may show (incoming-service.ts). */
  source?: 'incoming';
  recipientName?: string; // incoming: the recipient's display name
  recipientDigest?: string; // incoming: the recipient's public digest (for the incoming.received webhook)
}

/** How the secret came to be: the caller's own (conceal, v1 share) or a generated password. */
export type SecretKind = 'conceal' | 'generate';

/** Why a secret is missing while its receipt still says new/viewed: its time ran out, or something else. */
export function goneState(r: ReceiptRecord, nowSeconds: number): State {
  return nowSeconds >= r.created + r.ttl ? 'expired' : 'orphaned';
}
