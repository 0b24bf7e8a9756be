// The receipt (metadata) record as stored, and the wire views the contract defines for it.

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
}

/** How the secret came to be: the caller's own (conceal, v1 share) or a generated password. */
export type SecretKind = 'conceal' | 'generate';

export interface ReceiptView {
  custid: string;
  metadata_key: string;
  secret_key?: string;
  ttl: number;
  metadata_ttl: number;
  secret_ttl?: number | null;
  state: State;
  updated: number;
  created: number;
  received?: number;
  recipient: string[];
  share_domain: string;
  passphrase_required?: boolean;
}

export interface TimeLeft {
  metadataTtl: number; // whole seconds left on the receipt
  secretTtl: number | null; // whole seconds left on the secret, null when gone
}

/** The receipt object of share, generate, receipt view and burn. */
export function receiptView(r: ReceiptRecord, left: TimeLeft): ReceiptView {
  const secretGone = !UNREAD_STATES.includes(r.state);
  const view: ReceiptView = {
    custid: r.custid,
    metadata_key: r.metadataKey,
    secret_key: secretGone ? '' : r.secretKey,
    ttl: r.ttl,
    metadata_ttl: left.metadataTtl,
    secret_ttl: secretGone ? null : left.secretTtl,
    state: r.state,
    updated: r.updated,
    created: r.created,
    recipient: r.recipient ? [r.recipient] : [],
    share_domain: r.shareDomain,
  };
  if (r.state === 'received') {
    delete view.secret_key;
    delete view.secret_ttl;
    view.received = r.received ?? r.updated;
  }
  if (!secretGone) view.passphrase_required = r.passphraseRequired;
  return view;
}

/** The receipt object of /private/recent (live receipts, in any state): no secret key, TTL or passphrase flag. */
export function recentView(r: ReceiptRecord, left: TimeLeft): ReceiptView {
  const view = receiptView(r, { metadataTtl: left.metadataTtl, secretTtl: null });
  delete view.secret_key;
  delete view.passphrase_required;
  view.secret_ttl = null;
  return view;
}

/** Why a secret is missing while its receipt still says new/viewed: its time ran out, or something else. */
export function goneState(r: ReceiptRecord, nowSeconds: number): State {
  return nowSeconds >= r.created + r.ttl ? 'expired' : 'orphaned';
}
