// Redis Cluster's hash slot of a key (CRC16/XMODEM of the key, or of its {hash tag}, modulo 16384), and a way to
// choose a metadata key whose receipt lands in the same slot as its secret, so that one script may touch both.

import { KEY_ALPHABET } from '../domain/keys.js';

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC16/XMODEM of bytes[from, to). */
function crc16(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

const SLOTS = 16384;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/** The bytes of a key Redis hashes: between the first `{` and the next `}` when that is not empty, else all. */
function hashedRange(bytes: Uint8Array): [from: number, to: number] {
  const open = bytes.indexOf(OPEN);
  const close = open === -1 ? -1 : bytes.indexOf(CLOSE, open + 1);
  return close > open + 1 ? [open + 1, close] : [0, bytes.length];
}

/** The cluster slot Redis assigns to `key` (as CLUSTER KEYSLOT). */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  return crc16(bytes, ...hashedRange(bytes)) % SLOTS;
}

export const SLOT_SUFFIX_LENGTH = 4;
const ZERO_SUFFIX = '\0'.repeat(SLOT_SUFFIX_LENGTH);

/**
 * For each low-14-bit CRC value, one 4-character base36 suffix with that CRC (36^4 = 1.7 M suffixes cover all
 * 16384 values many times over). Built once, on first use, in a few tens of milliseconds.
 */
let suffixByCrc: string[] | undefined;
function suffixTable(): string[] {
  if (suffixByCrc) return suffixByCrc;
  const table = new Array<string>(SLOTS);
  const bytes = new Uint8Array(SLOT_SUFFIX_LENGTH);
  let found = 0;
  for (let n = 0; n < 36 ** SLOT_SUFFIX_LENGTH && found < SLOTS; n++) {
    for (let i = SLOT_SUFFIX_LENGTH - 1, rest = n; i >= 0; i--, rest = Math.floor(rest / 36)) {
      bytes[i] = KEY_ALPHABET.charCodeAt(rest % 36);
    }
    const v = crc16(bytes) % SLOTS;
    if (table[v] === undefined) {
      table[v] = String.fromCharCode(...bytes);
      found++;
    }
  }
  return (suffixByCrc = table);
}

/**
 * Completes `head` (a random key short of 4 characters) so that `nameOf(key)` hashes to `slot`. CRC16 is linear:
 * the CRC of a name ending in a suffix is the CRC of the name ending in zero bytes XOR the suffix's own CRC, so the
 * right suffix is one table lookup. Returns undefined when the name's slot does not depend on its ending (a hash
 * tag elsewhere in it) and is not already `slot`.
 */
export function keyInSlot(head: string, nameOf: (key: string) => string, slot: number): string | undefined {
  const zeroName = nameOf(head + ZERO_SUFFIX);
  const bytes = Buffer.from(zeroName, 'utf8');
  const [from, to] = hashedRange(bytes);
  if (!zeroName.endsWith(ZERO_SUFFIX) || from !== 0 || to !== bytes.length) {
    const any = head + '0'.repeat(SLOT_SUFFIX_LENGTH);
    return keySlot(nameOf(any)) === slot ? any : undefined;
  }
  const needed = (slot ^ crc16(bytes)) % SLOTS;
  return head + suffixTable()[needed]!;
}
