// A stored secret: one binary string, so that a single atomic step can take it. The first byte says whether a
// passphrase protects it (P) or not (N): a store reads it to decide whether to take the secret at once. Then the
// receipt's metadata key, ':' and the sealed value.

export interface SecretRecord {
  metadataKey: string;
  passphraseProtected: boolean;
  sealed: Buffer;
}

/** The first byte of a protected record (a store's script may test it). */
export const PROTECTED_MARK = 'P';
const PROTECTED = 0x50; // 'P'
const PLAIN = 0x4e; // 'N'
const SEPARATOR = 0x3a; // ':'

export function encodeSecretRecord(r: SecretRecord): Buffer {
  const head = Buffer.from(`${r.passphraseProtected ? 'P' : 'N'}${r.metadataKey}:`, 'latin1');
  return Buffer.concat([head, r.sealed]);
}

export function decodeSecretRecord(raw: Buffer): SecretRecord | null {
  const colon = raw.indexOf(SEPARATOR);
  if (colon < 2 || (raw[0] !== PROTECTED && raw[0] !== PLAIN)) return null;
  const metadataKey = raw.subarray(1, colon).toString('latin1');
  if (!/^[0-9a-z]+$/.test(metadataKey)) return null;
  return { passphraseProtected: raw[0] === PROTECTED, metadataKey, sealed: raw.subarray(colon + 1) };
}

/** Whether the record is passphrase-protected: the one thing a store may read from it. */
export function isProtectedRecord(raw: Buffer): boolean {
  return raw[0] === PROTECTED;
}
