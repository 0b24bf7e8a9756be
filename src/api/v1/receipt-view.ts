// v1's receipt object (docs/api-v1.md; the v1 contract's §3.1): which fields each state shows, and how. The web's
// receipt page shows the same fields.
import { UNREAD_STATES, type ReceiptRecord, type State } from '../../domain/receipt.js';

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
  // Only the mailed recipient may have an incoming secret's key (docs/contracts/ots-incoming-api.md §8.10).
  if (r.source === 'incoming') delete view.secret_key;
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
