import { randomBytes } from 'node:crypto';

/** The characters of every key. */
export const KEY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const KEY_LENGTH = 31; // 31 base36 characters ≈ 160 bits; one client rejects any other length

// Random bytes are drawn from the CSPRNG in blocks and handed out once each: one call per block instead of one per
// key (the per-call overhead showed in profiles of the create path). A byte is never reused.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function nextRandomByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** A fresh key: 31 (or `length`) lowercase base36 characters from a cryptographic source, without modulo bias. */
export function generateKey(length = KEY_LENGTH): string {
  let out = '';
  while (out.length < length) {
    const byte = nextRandomByte();
    if (byte < 252) out += KEY_ALPHABET[byte % 36];
  }
  return out;
}

/** Incoming keys are opaque: anything else than 1–64 characters of [0-9a-z] is simply unknown. */
export function isWellFormedKey(key: string): boolean {
  return /^[0-9a-z]{1,64}$/.test(key);
}

/** The only part of a key that may appear in logs and in burn responses. */
export function shortKey(key: string): string {
  return key.slice(0, 6);
}
