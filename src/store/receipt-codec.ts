import { STATES, type ReceiptRecord, type State } from '../domain/receipt.js';

// A receipt lives as a small Redis hash. Short field names, and fields left out when they hold their default
// (the metadata key is the hash's own key name): every byte counts per stored secret.
/** The receipt's hash fields as the flat name, value, name, value… list HSET takes. */
export function encodeReceipt(r: ReceiptRecord): string[] {
  const fields = ['s', r.secretKey, 't', String(r.ttl), 'cr', String(r.created), 'st', r.state];
  if (r.updated !== r.created) fields.push('u', String(r.updated));
  if (r.custid !== 'anon') fields.push('c', r.custid);
  if (r.shareDomain) fields.push('d', r.shareDomain);
  if (r.passphraseRequired) fields.push('p', '1');
  if (r.received !== undefined) fields.push('r', String(r.received));
  if (r.recipient !== undefined) fields.push('rc', r.recipient);
  if (r.kind === 'generate') fields.push('k', 'g');
  if (r.ownerId !== undefined) fields.push('o', r.ownerId);
  if (r.memo !== undefined) fields.push(MEMO_FIELD, r.memo);
  return fields;
}

/** The hash field of the receipt's memo. */
export const MEMO_FIELD = 'm';

export function decodeReceipt(metadataKey: string, f: Record<string, string>): ReceiptRecord | null {
  if (!f.s || !f.st) return null;
  const state = (STATES as readonly string[]).includes(f.st) ? (f.st as State) : 'orphaned';
  const r: ReceiptRecord = {
    metadataKey,
    secretKey: f.s,
    custid: f.c ?? 'anon',
    ttl: Number(f.t),
    created: Number(f.cr),
    updated: Number(f.u ?? f.cr),
    state,
    shareDomain: f.d ?? '',
    passphraseRequired: f.p === '1',
    kind: f.k === 'g' ? 'generate' : 'conceal',
  };
  if (f.o) r.ownerId = f.o;
  if (f.m !== undefined) r.memo = f.m;
  if (f.r) r.received = Number(f.r);
  if (f.rc) r.recipient = f.rc;
  return r;
}
