// A stored secret: one binary string, so that a single atomic step can take it. The first byte says whether a
// passphrase protects it (the claim script reads it to decide whether to take the secret at once) and, in lower
// case, that the store keeps the receipt beside it (the claim script then moves the receipt in the same step);
// then the receipt's metadata key, ':' and the sealed value.

export interface SecretRecord {
  metadataKey: string;
  passphraseProtected: boolean;
  sealed: Buffer;
}

const PROTECTED = 0x50; // 'P'
const PLAIN = 0x4e; // 'N'
const LOWER_CASE = 0x20;
const SEPARATOR = 0x3a; // ':'

/** The first byte without the store's lower-case mark. */
const kind = (raw: Buffer) => (raw[0] ?? 0) & ~LOWER_CASE;

export function encodeSecretRecord(r: SecretRecord): Buffer {
  const head = Buffer.from(`${r.passphraseProtected ? 'P' : 'N'}${r.metadataKey}:`, 'latin1');
  return Buffer.concat([head, r.sealed]);
}

export function decodeSecretRecord(raw: Buffer): SecretRecord | null {
  const colon = raw.indexOf(SEPARATOR);
  if (colon < 2 || (kind(raw) !== PROTECTED && kind(raw) !== PLAIN)) return null;
  return {
    passphraseProtected: kind(raw) === PROTECTED,
    metadataKey: raw.subarray(1, colon).toString('latin1'),
    sealed: raw.subarray(colon + 1),
  };
}

/** Whether the record is passphrase-protected: the one thing a store may read from it. */
export function isProtectedRecord(raw: Buffer): boolean {
  return kind(raw) === PROTECTED;
}

/** Marks a record whose receipt the store keeps beside it (same Redis Cluster slot). */
export function markReceiptBeside(raw: Buffer): Buffer {
  const marked = Buffer.from(raw);
  marked[0] = marked[0]! | LOWER_CASE;
  return marked;
}

/** Whether the store marked this record as having its receipt beside it. */
export function hasReceiptBeside(raw: Buffer): boolean {
  return ((raw[0] ?? 0) & LOWER_CASE) !== 0;
}
