import { describe, expect, it } from 'vitest';
import {
  decodeSecretRecord,
  encodeSecretRecord,
  isProtectedRecord,
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

  it('do not decode from garbage', () => {
    expect(decodeSecretRecord(Buffer.alloc(0))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('no colon'))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('P:sealed'))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('Xmeta:sealed'))).toBeNull();
    expect(decodeSecretRecord(Buffer.from('P!:sealed'))).toBeNull();
    // The Redis store's beside mark never reaches the domain: a marked record is not a record.
    expect(decodeSecretRecord(Buffer.from('Pabc123!:sealed'))).toBeNull();
  });
});
