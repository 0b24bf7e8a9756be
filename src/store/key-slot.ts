// Redis Cluster's hash slot of a key (CRC16/XMODEM of the key, or of its {hash tag}, modulo 16384), and a way to
// choose a metadata key whose receipt lands in the same slot as its secret, so that one script may touch both.

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC16/XMODEM of `bytes`, continuing from `crc` (0 for a fresh start). */
function crc16(bytes: Uint8Array | string, crc = 0): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = typeof bytes === 'string' ? bytes.charCodeAt(i) : bytes[i]!;
    crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xff]!;
  }
  return crc;
}

const SLOTS = 16384;

/** The part of a key Redis hashes: the text between the first `{` and the next `}`, when that is not empty. */
function hashedPart(key: Buffer): Buffer {
  const open = key.indexOf(0x7b);
  if (open === -1) return key;
  const close = key.indexOf(0x7d, open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

/** The cluster slot Redis assigns to `key` (as CLUSTER KEYSLOT). */
export function keySlot(key: string): number {
  return crc16(hashedPart(Buffer.from(key, 'utf8'))) % SLOTS;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const SUFFIX_LENGTH = 4;

/**
 * For each low-14-bit CRC value, one 4-character base36 suffix with that CRC (36^4 = 1.7 M suffixes cover all
 * 16384 values many times over). Built once, on first use, in a few tens of milliseconds.
 */
let suffixByCrc: string[] | undefined;
function suffixTable(): string[] {
  if (suffixByCrc) return suffixByCrc;
  const table: string[] = new Array<string>(SLOTS);
  let found = 0;
  const bytes = new Uint8Array(SUFFIX_LENGTH);
  for (let a = 0; a < 36 && found < SLOTS; a++) {
    for (let b = 0; b < 36 && found < SLOTS; b++) {
      for (let c = 0; c < 36; c++) {
        for (let d = 0; d < 36; d++) {
          bytes[0] = ALPHABET.charCodeAt(a);
          bytes[1] = ALPHABET.charCodeAt(b);
          bytes[2] = ALPHABET.charCodeAt(c);
          bytes[3] = ALPHABET.charCodeAt(d);
          const v = crc16(bytes) % SLOTS;
          if (table[v] === undefined) {
            table[v] = ALPHABET[a]! + ALPHABET[b]! + ALPHABET[c]! + ALPHABET[d]!;
            found++;
          }
        }
      }
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
  const zeroName = nameOf(head + '\0'.repeat(SUFFIX_LENGTH));
  if (!zeroName.endsWith('\0'.repeat(SUFFIX_LENGTH)) || hashedPart(Buffer.from(zeroName)).length !== Buffer.byteLength(zeroName)) {
    const any = head + '0'.repeat(SUFFIX_LENGTH);
    return keySlot(nameOf(any)) === slot ? any : undefined;
  }
  const needed = (slot ^ crc16(Buffer.from(zeroName, 'utf8'))) % SLOTS;
  const key = head + suffixTable()[needed]!;
  return keySlot(nameOf(key)) === slot ? key : undefined;
}

export const SLOT_SUFFIX_LENGTH = SUFFIX_LENGTH;
