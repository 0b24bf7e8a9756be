// A stored secret: one binary string, so that a single atomic step can take it. The first byte says whether a
// passphrase protects it (P) or not (N): the claim script reads it to decide whether to take the secret at once.
// Then the receipt's metadata key, with a trailing '!' when the store keeps the receipt beside the secret (the
// claim script then moves the receipt in the same step), ':' and the sealed value.
//
// The marker sits in the key part on purpose: builds from before it (commit 4b0a1e8 and earlier) read such a
// record as a metadata key ending in '!', fail to open it and put it back, so a rolling upgrade loses nothing.

export interface SecretRecord {
  metadataKey: string;
  passphraseProtected: boolean;
  sealed: Buffer;
}

const PROTECTED = 0x50; // 'P'
const PLAIN = 0x4e; // 'N'
const SEPARATOR = 0x3a; // ':'
const BESIDE = 0x21; // '!'

export function encodeSecretRecord(r: SecretRecord): Buffer {
  const head = Buffer.from(`${r.passphraseProtected ? 'P' : 'N'}${r.metadataKey}:`, 'latin1');
  return Buffer.concat([head, r.sealed]);
}

export function decodeSecretRecord(raw: Buffer): SecretRecord | null {
  const colon = raw.indexOf(SEPARATOR);
  const keyEnd = raw[colon - 1] === BESIDE ? colon - 1 : colon;
  if (keyEnd < 2 || (raw[0] !== PROTECTED && raw[0] !== PLAIN)) return null;
  return {
    passphraseProtected: raw[0] === PROTECTED,
    metadataKey: raw.subarray(1, keyEnd).toString('latin1'),
    sealed: raw.subarray(colon + 1),
  };
}

/** Whether the record is passphrase-protected: the one thing a store may read from it. */
export function isProtectedRecord(raw: Buffer): boolean {
  return raw[0] === PROTECTED;
}

/** Marks a record whose receipt the store keeps beside it (same Redis Cluster slot). */
export function markReceiptBeside(raw: Buffer): Buffer {
  const colon = raw.indexOf(SEPARATOR);
  return Buffer.concat([raw.subarray(0, colon), Buffer.from([BESIDE]), raw.subarray(colon)]);
}

/** Whether the store marked this record as having its receipt beside it. */
export function hasReceiptBeside(raw: Buffer): boolean {
  const colon = raw.indexOf(SEPARATOR);
  return colon > 0 && raw[colon - 1] === BESIDE;
}

/** The metadata key from the head of a record (at least its first KEY_LENGTH + 3 bytes), or null if it is none. */
export function readRecordHead(head: Buffer): string | null {
  if (head[0] !== PROTECTED && head[0] !== PLAIN) return null;
  const colon = head.indexOf(SEPARATOR);
  if (colon < 2) return null;
  const keyEnd = head[colon - 1] === BESIDE ? colon - 1 : colon;
  return head.subarray(1, keyEnd).toString('latin1');
}
