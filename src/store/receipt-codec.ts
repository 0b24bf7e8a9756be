import { STATES, type ReceiptRecord, type State } from '../domain/receipt.js';

// Short field names: a receipt lives as a small Redis hash, and every byte counts per stored secret.
export function encodeReceipt(r: ReceiptRecord): Record<string, string> {
  const fields: Record<string, string> = {
    k: r.metadataKey,
    s: r.secretKey,
    c: r.custid,
    t: String(r.ttl),
    cr: String(r.created),
    u: String(r.updated),
    st: r.state,
    d: r.shareDomain,
    p: r.passphraseRequired ? '1' : '0',
  };
  if (r.received !== undefined) fields.r = String(r.received);
  if (r.recipient !== undefined) fields.rc = r.recipient;
  return fields;
}

export function decodeReceipt(f: Record<string, string>): ReceiptRecord | null {
  if (!f.k || !f.s || !f.st) return null;
  const state = (STATES as readonly string[]).includes(f.st) ? (f.st as State) : 'orphaned';
  const r: ReceiptRecord = {
    metadataKey: f.k,
    secretKey: f.s,
    custid: f.c ?? 'anon',
    ttl: Number(f.t),
    created: Number(f.cr),
    updated: Number(f.u),
    state,
    shareDomain: f.d ?? '',
    passphraseRequired: f.p === '1',
  };
  if (f.r) r.received = Number(f.r);
  if (f.rc) r.recipient = f.rc;
  return r;
}
