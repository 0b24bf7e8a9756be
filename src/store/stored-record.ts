// How the Redis store keeps a secret record: as the domain encodes it (domain/secret-record.ts), with a '!' after
// the metadata key when the receipt is kept beside the secret, in its Cluster slot. The claim script reads the
// mark: only then may it touch the receipt key, which it finds in the record. The mark never leaves this store.
import { KEY_LENGTH } from '../domain/keys.js';

export const BESIDE_MARK = '!';
const BESIDE = 0x21; // '!'
const SEPARATOR = 0x3a; // ':'

/** Enough of a stored record to hold its flag, metadata key, mark and separator. */
export const RECORD_HEAD_BYTES = KEY_LENGTH + 3;

/** The record with the beside mark. */
export function markBeside(record: Buffer): Buffer {
  const colon = record.indexOf(SEPARATOR);
  return Buffer.concat([record.subarray(0, colon), Buffer.from([BESIDE]), record.subarray(colon)]);
}

/** The record as the domain wrote it, and whether the store had marked it. */
export function unmark(stored: Buffer): { record: Buffer; beside: boolean } {
  const colon = stored.indexOf(SEPARATOR);
  if (colon < 1 || stored[colon - 1] !== BESIDE) return { record: stored, beside: false };
  return { record: Buffer.concat([stored.subarray(0, colon - 1), stored.subarray(colon)]), beside: true };
}

/** The metadata key in the head of a stored record (its first RECORD_HEAD_BYTES bytes), or null. */
export function metadataKeyOfHead(head: Buffer): string | null {
  const colon = head.indexOf(SEPARATOR);
  if (colon < 2) return null;
  const end = head[colon - 1] === BESIDE ? colon - 1 : colon;
  return head.subarray(1, end).toString('latin1');
}
