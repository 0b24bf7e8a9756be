// How a store keeps a secret: a flag byte, the receipt's metadata key, ':' and the sealed value, in one binary string.
import { describe, expect, it } from 'vitest';
import { generateKey, KEY_LENGTH } from '../../src/domain/keys.js';
import { decodeHead, decodeRecord, encodeRecord, PROTECTED_MARK, RECORD_HEAD_BYTES } from '../../src/store/stored-record.js';

const SEALED = Buffer.from([0x03, 0x00, 0x3a, 0xff, 0x21, 0x80, 0x3a]); // binary, with ':' and '!' inside on purpose

describe('stored secret records', () => {
  it('start with P when a passphrase protects them (the scripts test it), N otherwise', () => {
    const guarded = encodeRecord({ metadataKey: generateKey(), passphraseProtected: true, sealed: SEALED });
    const plain = encodeRecord({ metadataKey: generateKey(), passphraseProtected: false, sealed: SEALED });
    expect(String.fromCharCode(guarded[0]!)).toBe(PROTECTED_MARK);
    expect(String.fromCharCode(plain[0]!)).toBe('N');
  });

  it('decode to exactly what was encoded, whatever bytes the sealed value holds', () => {
    for (const passphraseProtected of [true, false]) {
      for (const sealed of [SEALED, Buffer.alloc(0), Buffer.from(':::')]) {
        const secret = { metadataKey: generateKey(), passphraseProtected, sealed };
        const decoded = decodeRecord(encodeRecord(secret));
        expect(decoded).toEqual(secret);
        expect(decoded!.sealed.equals(sealed)).toBe(true);
      }
    }
  });

  it('do not decode from bytes a store did not write', () => {
    for (const raw of ['', 'no colon', 'P:sealed', 'N:', 'Xabc123:sealed', 'pabc123:sealed', 'PABC:sealed', 'Pab-c:sealed']) {
      expect(decodeRecord(Buffer.from(raw, 'latin1')), raw).toBeNull();
    }
    // The '!' beside mark of the removed receipt format is not a record either.
    expect(decodeRecord(Buffer.from('Pabc123!:sealed'))).toBeNull();
  });

  it('the head (the first RECORD_HEAD_BYTES bytes, what a look reads) names the flag and metadata key', () => {
    expect(RECORD_HEAD_BYTES).toBe(KEY_LENGTH + 2);
    for (const passphraseProtected of [true, false]) {
      const metadataKey = generateKey();
      const record = encodeRecord({ metadataKey, passphraseProtected, sealed: SEALED });
      expect(decodeHead(record.subarray(0, RECORD_HEAD_BYTES))).toEqual({ metadataKey, passphraseProtected });
      expect(decodeHead(record)).toEqual({ metadataKey, passphraseProtected });
    }
    // One byte short of the head: the separator is cut off, so the head does not decode.
    const record = encodeRecord({ metadataKey: generateKey(), passphraseProtected: false, sealed: SEALED });
    expect(decodeHead(record.subarray(0, RECORD_HEAD_BYTES - 1))).toBeNull();
    expect(decodeHead(Buffer.alloc(0))).toBeNull();
  });
});
