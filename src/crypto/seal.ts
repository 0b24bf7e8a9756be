import { createCipheriv, createDecipheriv, createHmac, scrypt, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';

// Sealed record layout (binary, stored as is):
//   version(1) | flags(1) | [scrypt log2N(1) r(1) p(1)] | tag(16) | ciphertext
// The AES key is HMAC-SHA256 keyed with the master key [|| scrypt(passphrase)] over a label and the secret's key.
// The secret key is 160 random bits, made once per secret and never sealed under twice, so every record gets its own
// AES key and a fixed nonce is safe; storing no random salt or nonce keeps a 200-byte secret in a small allocation.
// The secret key is also the AEAD's associated data, so a record moved under another key does not open.

const VERSION = 3;
const ZERO_NONCE = Buffer.alloc(12);
const FLAG_PASSPHRASE = 1;
const TAG = 16;
/** scrypt cost: 2^14 × 8 × 128 B = 16 MiB per derivation, run on libuv's pool, off the event loop. */
export const SCRYPT_DEFAULT = { log2N: 14, r: 8, p: 1 };

export class SealError extends Error {
  constructor() {
    super('sealed record does not open with the given keys');
    this.name = 'SealError';
  }
}

/** Bounds concurrent scrypt runs to the core count, so passphrase floods cannot grow memory without limit. */
class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const kdfLimiter = new Limiter(Math.max(2, availableParallelism()));

function passphraseKey(passphrase: string, secretKey: string, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  const salt = `ots-server/passphrase/${secretKey}`;
  return kdfLimiter.run(
    () =>
      new Promise((resolve, reject) =>
        scrypt(passphrase.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

function inputKey(master: Buffer, pass: Buffer | undefined): Buffer {
  return pass ? Buffer.concat([master, pass]) : master;
}

function deriveKey(ikm: Buffer, secretKey: string): Buffer {
  return createHmac('sha256', ikm).update('ots-server/v3/secret\0').update(secretKey).digest();
}

/**
 * Whether a secret has a passphrase is the caller's decision (the service's: an empty one is none), so only
 * `undefined` means none here; an empty string would leave that decision to a truthiness test.
 */
function refuseEmpty(passphrase: string | undefined): void {
  if (passphrase === '') throw new Error('empty passphrase: pass undefined for a record without one');
}

/** Seals `value` under its secret key, with `passphrase` mixed in unless it is undefined. */
export async function seal(
  value: string,
  secretKey: string,
  masterKey: Buffer,
  passphrase?: string,
  scryptParams = SCRYPT_DEFAULT,
): Promise<Buffer> {
  refuseEmpty(passphrase);
  const header = [Buffer.from([VERSION, passphrase !== undefined ? FLAG_PASSPHRASE : 0])];
  let pass: Buffer | undefined;
  if (passphrase !== undefined) {
    const { log2N, r, p } = scryptParams;
    pass = await passphraseKey(passphrase, secretKey, log2N, r, p);
    header.push(Buffer.from([log2N, r, p]));
  }
  const cipher = createCipheriv('aes-256-gcm', deriveKey(inputKey(masterKey, pass), secretKey), ZERO_NONCE);
  cipher.setAAD(Buffer.from(secretKey));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([...header, cipher.getAuthTag(), ciphertext]);
}

/** Opens a record with the current or any previous master key; throws SealError when none fits. */
export async function open(sealed: Buffer, secretKey: string, masterKeys: Buffer[], passphrase?: string): Promise<string> {
  const buf = sealed;
  // The header is not authenticated, so any bit it does not define must be zero: a changed record never opens.
  const version = buf[0];
  if (buf.length < 2 + TAG || version !== VERSION || (buf[1]! & ~FLAG_PASSPHRASE) !== 0) {
    throw new SealError();
  }
  refuseEmpty(passphrase);
  const protectedRecord = (buf[1]! & FLAG_PASSPHRASE) !== 0;
  if (protectedRecord !== (passphrase !== undefined)) throw new SealError();
  let offset = 2;
  let pass: Buffer | undefined;
  if (protectedRecord) {
    const [log2N, r, p] = [buf[offset]!, buf[offset + 1]!, buf[offset + 2]!];
    offset += 3;
    if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 4) throw new SealError();
    pass = await passphraseKey(passphrase!, secretKey, log2N, r, p);
  }
  const tag = buf.subarray(offset, (offset += TAG));
  const ciphertext = buf.subarray(offset);
  if (tag.length !== TAG) throw new SealError();
  for (const master of masterKeys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(inputKey(master, pass), secretKey), ZERO_NONCE);
      decipher.setAAD(Buffer.from(secretKey));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // wrong key or tampered record: try the next key
    }
  }
  throw new SealError();
}
