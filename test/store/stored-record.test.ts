// The Redis store's form of a secret record: the domain's record, with a mark when the receipt is kept beside it.
import { describe, expect, it } from 'vitest';
import { decodeSecretRecord, encodeSecretRecord } from '../../src/domain/secret-record.js';
import { markBeside, metadataKeyOfHead, RECORD_HEAD_BYTES, unmark } from '../../src/store/stored-record.js';
import { generateKey } from '../../src/domain/keys.js';

const SEALED = Buffer.from([0xff, 0x00, 0x3a, 0x21, 0x80]); // binary, with ':' and '!' inside on purpose

describe('stored secret records', () => {
  it('mark and unmark round-trip to exactly the domain record, protected or not', () => {
    for (const passphraseProtected of [true, false]) {
      const record = encodeSecretRecord({ metadataKey: generateKey(), passphraseProtected, sealed: SEALED });
      const marked = markBeside(record);
      expect(marked.equals(record)).toBe(false);
      expect(unmark(marked)).toEqual({ record, beside: true });
      expect(unmark(record)).toEqual({ record, beside: false });
      expect(decodeSecretRecord(unmark(marked).record)?.sealed.equals(SEALED)).toBe(true);
    }
  });

  it('the head of a stored record names its metadata key, marked or not', () => {
    const metadataKey = generateKey();
    const record = encodeSecretRecord({ metadataKey, passphraseProtected: true, sealed: SEALED });
    for (const stored of [record, markBeside(record)]) {
      expect(metadataKeyOfHead(stored.subarray(0, RECORD_HEAD_BYTES + 1))).toBe(metadataKey);
    }
    expect(metadataKeyOfHead(Buffer.alloc(0))).toBeNull();
  });
});
