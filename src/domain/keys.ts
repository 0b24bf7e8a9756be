import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const KEY_LENGTH = 31; // 31 base36 characters ≈ 160 bits; one client rejects any other length

/** A fresh key: 31 lowercase base36 characters from a cryptographic source, without modulo bias. */
export function generateKey(): string {
  let out = '';
  while (out.length < KEY_LENGTH) {
    for (const byte of randomBytes(40)) {
      if (byte < 252 && out.length < KEY_LENGTH) out += ALPHABET[byte % 36];
    }
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
