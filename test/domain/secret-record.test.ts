import { describe, expect, it } from 'vitest';
import {
  decodeSecretRecord,
  encodeSecretRecord,
  hasReceiptBeside,
  isProtectedRecord,
  markReceiptBeside,
} from '../../src/domain/secret-record.js';

const SEALED = Buffer.from([0x02, 0x00, 0x3a, 0xff, 0x00, 0x3a]); // binary, with ':' bytes inside

describe('stored secret records', () => {
  it('start with P when a passphrase protects them (the stores rely on it), N otherwise', () => {
    const guarded = encodeSecretRecord({ metadataKey: 'meta', passphraseProtected: true, sealed: SEALED });
    const plain = encodeSecretRecord({ metadataKey: 'meta', passphraseProtected: false, sealed: SEALED });
    expect(String.fromCharCode(guarded[0]!)).toBe('P');
    expect(String.fromCharCode(plain[0]!)).toBe('N');
    expect(isProtectedRecord(guarded)).toBe(true);
    expect(isProtectedRecord(plain)).toBe(false);
  });

  it('decode to what was encoded, even when the sealed part contains colons and any byte', () => {
    for (const passphraseProtected of [true, false]) {
      const r = { metadataKey: 'abc123', passphraseProtected, sealed: SEALED };
      expect(decodeSecretRecord(encodeSecretRecord(r))).toEqual(r);
    }
  });

  it("carry the store's beside-the-secret mark without changing what they decode to", () => {
    for (const passphraseProtected of [true, false]) {
      const r = { metadataKey: 'abc123', passphraseProtected, sealed: SEALED };
      const plain = encodeSecretRecord(r);
      const marked = markReceiptBeside(plain);
      expect([hasReceiptBeside(plain), hasReceiptBeside(marked)]).toEqual([false, true]);
      expect(decodeSecretRecord(marked)).toEqual(r);
      expect(isProtectedRecord(marked)).toBe(passphraseProtected);
    }
  });

  it('when marked, still read by builds from before the mark as a record they cannot open (put back, not lost)', () => {
    // Those builds (commit 4b0a1e8): the claim script takes any record whose first byte is not 'P' and keeps a 'P'
    // one; the decoder wants P or N first and a metadata key up to the first ':'. A record they decode but cannot
    // open is put back; one they cannot decode would answer 404 after the claim took it.
    const earlierDecode = (raw: Buffer) =>
      raw.indexOf(0x3a) >= 2 && (raw[0] === 0x50 || raw[0] === 0x4e) ? raw.subarray(1, raw.indexOf(0x3a)).toString('latin1') : null;
    for (const passphraseProtected of [true, false]) {
      const marked = markReceiptBeside(encodeSecretRecord({ metadataKey: 'abc123', passphraseProtected, sealed: SEALED }));
      expect(String.fromCharCode(marked[0]!)).toBe(passphraseProtected ? 'P' : 'N');
      expect(earlierDecode(marked)).toBe('abc123!');
    }
  });

  it('do not decode from garbage', () => {
    expect(decodeSecretRecord(Buffer.alloc(0))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('no colon'))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('P:sealed'))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('Xmeta:sealed'))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('P!:sealed'))).toBeNull();
  });
});
