import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

// Sealed record layout (then base64url):
//   version(1) | flags(1) | salt(16) | nonce(12) | [scrypt log2N(1) r(1) p(1)] | tag(16) | ciphertext
// The per-secret key is HKDF-SHA256(master key [|| scrypt(passphrase)], salt, info bound to the secret key);
// the secret key is also the AEAD's associated data, so a record moved under another key does not open.

const VERSION = 1;
const FLAG_PASSPHRASE = 1;
const SALT = 16;
const NONCE = 12;
const TAG = 16;
/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB per derivation; it runs on libuv's pool, off the event loop. */
export const SCRYPT_DEFAULT = { log2N: 15, r: 8, p: 1 };

export class SealError extends Error {
  constructor() {
    super('sealed record does not open with the given keys');
    this.name = 'SealError';
  }
}

function passphraseKey(passphrase: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function deriveKey(master: Buffer, pass: Buffer | undefined, salt: Buffer, secretKey: string): Buffer {
  const ikm = pass ? Buffer.concat([master, pass]) : master;
  return Buffer.from(hkdfSync('sha256', ikm, salt, `ots-server/v1/secret/${secretKey}`, 32));
}

export async function seal(
  value: string,
  secretKey: string,
  masterKey: Buffer,
  passphrase?: string,
  scryptParams = SCRYPT_DEFAULT,
): Promise<string> {
  const salt = randomBytes(SALT);
  const nonce = randomBytes(NONCE);
  const header = [Buffer.from([VERSION, passphrase ? FLAG_PASSPHRASE : 0]), salt, nonce];
  let pass: Buffer | undefined;
  if (passphrase) {
    const { log2N, r, p } = scryptParams;
    pass = await passphraseKey(passphrase, salt, log2N, r, p);
    header.push(Buffer.from([log2N, r, p]));
  }
  const cipher = createCipheriv('aes-256-gcm', deriveKey(masterKey, pass, salt, secretKey), nonce);
  cipher.setAAD(Buffer.from(secretKey));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([...header, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** Whether a sealed record needs a passphrase to open. */
export function needsPassphrase(sealed: string): boolean {
  const head = Buffer.from(sealed.slice(0, 4), 'base64url');
  return head.length >= 2 && (head[1]! & FLAG_PASSPHRASE) !== 0;
}

/** Opens a record with the current or any previous master key; throws SealError when none fits. */
export async function open(sealed: string, secretKey: string, masterKeys: Buffer[], passphrase?: string): Promise<string> {
  const buf = Buffer.from(sealed, 'base64url');
  // The flags byte is not authenticated, so any bit it does not define must be zero: a changed record never opens.
  if (buf.length < 2 + SALT + NONCE + TAG || buf[0] !== VERSION || (buf[1]! & ~FLAG_PASSPHRASE) !== 0) throw new SealError();
  const protectedRecord = (buf[1]! & FLAG_PASSPHRASE) !== 0;
  if (protectedRecord !== Boolean(passphrase)) throw new SealError();
  let offset = 2;
  const salt = buf.subarray(offset, (offset += SALT));
  const nonce = buf.subarray(offset, (offset += NONCE));
  let pass: Buffer | undefined;
  if (protectedRecord) {
    const [log2N, r, p] = [buf[offset]!, buf[offset + 1]!, buf[offset + 2]!];
    offset += 3;
    if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 4) throw new SealError();
    pass = await passphraseKey(passphrase!, salt, log2N, r, p);
  }
  const tag = buf.subarray(offset, (offset += TAG));
  const ciphertext = buf.subarray(offset);
  for (const master of masterKeys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(master, pass, salt, secretKey), nonce);
      decipher.setAAD(Buffer.from(secretKey));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // wrong key or tampered record: try the next key
    }
  }
  throw new SealError();
}
