import { ANONYMOUS_CUSTID, STATES, type ReceiptRecord, type State } from '../domain/receipt.js';

// A receipt lives as a small Redis hash. Short field names, and fields left out when they hold their default
// (the metadata key is the hash's own key name): every byte counts per stored secret.

/** The receipt hash's field names, defined once: the codec, the Lua scripts and `admin stats` use these. */
export const FIELD = {
  secretKey: 's',
  ttl: 't',
  created: 'cr',
  state: 'st',
  updated: 'u', // absent: as created
  custid: 'c', // absent: anonymous
  shareDomain: 'd',
  passphrase: 'p', // '1' when protected
  received: 'r',
  recipient: 'rc',
  kind: 'k', // 'g' for generate; absent: conceal
  ownerId: 'o',
  memo: 'm',
  source: 'src', // 'i' for incoming; absent: standard
  recipientName: 'rn',
  recipientDigest: 'rd',
} as const;

/** The receipt's hash fields as the flat name, value, name, value… list HSET takes. */
export function encodeReceipt(r: ReceiptRecord): string[] {
  const fields: string[] = [FIELD.secretKey, r.secretKey, FIELD.ttl, String(r.ttl), FIELD.created, String(r.created), FIELD.state, r.state];
  if (r.updated !== r.created) fields.push(FIELD.updated, String(r.updated));
  if (r.custid !== ANONYMOUS_CUSTID) fields.push(FIELD.custid, r.custid);
  if (r.shareDomain) fields.push(FIELD.shareDomain, r.shareDomain);
  if (r.passphraseRequired) fields.push(FIELD.passphrase, '1');
  if (r.received !== undefined) fields.push(FIELD.received, String(r.received));
  if (r.recipient !== undefined) fields.push(FIELD.recipient, r.recipient);
  if (r.kind === 'generate') fields.push(FIELD.kind, 'g');
  if (r.ownerId !== undefined) fields.push(FIELD.ownerId, r.ownerId);
  if (r.memo !== undefined) fields.push(FIELD.memo, r.memo);
  if (r.source === 'incoming') fields.push(FIELD.source, 'i');
  if (r.recipientName !== undefined) fields.push(FIELD.recipientName, r.recipientName);
  if (r.recipientDigest !== undefined) fields.push(FIELD.recipientDigest, r.recipientDigest);
  return fields;
}

export function decodeReceipt(metadataKey: string, f: Record<string, string>): ReceiptRecord | null {
  const state = f[FIELD.state];
  const secretKey = f[FIELD.secretKey];
  if (!secretKey || !state) return null;
  const created = Number(f[FIELD.created]);
  const r: ReceiptRecord = {
    metadataKey,
    secretKey,
    custid: f[FIELD.custid] ?? ANONYMOUS_CUSTID,
    ttl: Number(f[FIELD.ttl]),
    created,
    updated: f[FIELD.updated] === undefined ? created : Number(f[FIELD.updated]),
    state: (STATES as readonly string[]).includes(state) ? (state as State) : 'orphaned',
    shareDomain: f[FIELD.shareDomain] ?? '',
    passphraseRequired: f[FIELD.passphrase] === '1',
    kind: f[FIELD.kind] === 'g' ? 'generate' : 'conceal',
  };
  if (f[FIELD.ownerId]) r.ownerId = f[FIELD.ownerId];
  if (f[FIELD.memo] !== undefined) r.memo = f[FIELD.memo];
  if (f[FIELD.received]) r.received = Number(f[FIELD.received]);
  if (f[FIELD.recipient]) r.recipient = f[FIELD.recipient];
  if (f[FIELD.source] === 'i') r.source = 'incoming';
  if (f[FIELD.recipientName] !== undefined) r.recipientName = f[FIELD.recipientName];
  if (f[FIELD.recipientDigest] !== undefined) r.recipientDigest = f[FIELD.recipientDigest];
  return r;
}
