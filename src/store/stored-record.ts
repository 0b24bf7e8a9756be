// How a store keeps a secret: one binary string, so that a single atomic step can take it. The first byte says
// whether a passphrase protects it (P) or not (N): a claim reads it to decide whether to take the secret at once.
// Then the receipt's metadata key, ':' and the sealed value. The receipt is kept in the secret's Cluster slot, so a
// script that holds the record may touch the receipt whose key it names (see redis-scripts.ts).
import { KEY_LENGTH } from '../domain/keys.js';
import type { StoredSecret } from '../domain/store.js';

/** The first byte of a protected record, and of an unprotected one (the Lua scripts test it too). */
export const PROTECTED_MARK = 'P';
const PLAIN_MARK = 'N';
const SEPARATOR = 0x3a; // ':'

/** Enough of a stored record to hold its flag, metadata key and separator: what a look reads of it. */
export const RECORD_HEAD_BYTES = KEY_LENGTH + 2;

export function encodeRecord(s: StoredSecret): Buffer {
  const head = Buffer.from(`${s.passphraseProtected ? PROTECTED_MARK : PLAIN_MARK}${s.metadataKey}:`, 'latin1');
  return Buffer.concat([head, s.sealed]);
}

/** The record's parts; null for bytes this store did not write. */
export function decodeRecord(raw: Buffer): StoredSecret | null {
  const head = decodeHead(raw);
  return head && { ...head, sealed: raw.subarray(head.metadataKey.length + 2) };
}

/** The flag and metadata key from a record's first RECORD_HEAD_BYTES bytes (or more); null if malformed. */
export function decodeHead(head: Buffer): Omit<StoredSecret, 'sealed'> | null {
  const colon = head.indexOf(SEPARATOR);
  const mark = String.fromCharCode(head[0] ?? 0);
  if (colon < 2 || (mark !== PROTECTED_MARK && mark !== PLAIN_MARK)) return null;
  const metadataKey = head.subarray(1, colon).toString('latin1');
  if (!/^[0-9a-z]+$/.test(metadataKey)) return null;
  return { passphraseProtected: mark === PROTECTED_MARK, metadataKey };
}
