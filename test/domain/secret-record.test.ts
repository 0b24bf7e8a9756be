import { describe, expect, it } from 'vitest';
import { decodeSecretRecord, encodeSecretRecord } from '../../src/domain/secret-record.js';

describe('stored secret records', () => {
  it('start with P when a passphrase protects them (the stores rely on it), N otherwise', () => {
    const guarded = encodeSecretRecord({ metadataKey: 'meta', passphraseProtected: true, sealed: 'AQ:x' });
    const plain = encodeSecretRecord({ metadataKey: 'meta', passphraseProtected: false, sealed: 'AQ:x' });
    expect(guarded[0]).toBe('P');
    expect(plain[0]).toBe('N');
  });

  it('decode to what was encoded, even when the sealed part contains colons', () => {
    for (const passphraseProtected of [true, false]) {
      const r = { metadataKey: 'abc123', passphraseProtected, sealed: 'AQ:b:c' };
      expect(decodeSecretRecord(encodeSecretRecord(r))).toEqual(r);
    }
  });

  it('do not decode from garbage', () => {
    expect(decodeSecretRecord('')).toBeNull();
    expect(decodeSecretRecord('no colon')).toBeNull();
    expect(decodeSecretRecord('P:sealed')).toBeNull();
  });
});
