// Encryption at rest: a sealed record opens only with its own secret key, the right master key (current or
// previous) and, when it has one, its passphrase; any change to the record makes it fail.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal, SealError } from '../../src/crypto/seal.js';
import { generateKey } from '../../src/domain/keys.js';

const MASTER = randomBytes(32);
const OTHER_MASTER = randomBytes(32);
/** The smallest cost `open` accepts, so each passphrase derivation takes a millisecond or two. */
const FAST = { log2N: 10, r: 8, p: 1 };

const sealFast = (value: string, key: string, passphrase?: string, master = MASTER) => seal(value, key, master, passphrase, FAST);

/** Variants of `sealed` with one bit flipped, labelled `byte.bit`: every bit, or one per byte (cheaper). */
function* bitFlips(sealed: Buffer, everyBit: boolean): Generator<[string, Buffer]> {
  for (let i = 0; i < sealed.length; i++) {
    for (const bit of everyBit ? [0, 1, 2, 3, 4, 5, 6, 7] : [i % 8]) {
      const copy = Buffer.from(sealed);
      copy[i] = copy[i]! ^ (1 << bit);
      yield [`${i}.${bit}`, copy];
    }
  }
}

/** Whether the record opens; any failure other than SealError is a bug and is thrown. */
async function opens(sealed: Buffer, key: string, passphrase?: string): Promise<boolean> {
  return open(sealed, key, [MASTER], passphrase).then(
    () => true,
    (err: unknown) => {
      if (err instanceof SealError) return false;
      throw err;
    },
  );
}

describe('seal and open', () => {
  it.each([
    ['ascii', 'correct horse battery staple'],
    ['emoji', 'pässwörd 🔐👩‍💻 ok'],
    ['a trailing newline', 'line one\nline two\n'],
    ['the empty string', ''],
    ['10000 bytes', 'x'.repeat(9_996) + '🔑'],
  ])('round-trips %s byte for byte', async (_name, value) => {
    const key = generateKey();
    expect(await open(await sealFast(value, key), key, [MASTER])).toBe(value);
    expect(await open(await sealFast(value, key, 'pw'), key, [MASTER], 'pw')).toBe(value);
  });

  it('needs the passphrase a record was sealed with, and fails with SealError otherwise', async () => {
    const key = generateKey();
    const sealed = await sealFast('guarded', key, 'open sesame');
    expect(await open(sealed, key, [MASTER], 'open sesame')).toBe('guarded');
    await expect(open(sealed, key, [MASTER])).rejects.toThrow(SealError);
    await expect(open(sealed, key, [MASTER], 'open sesame ')).rejects.toThrow(SealError);
    await expect(open(sealed, key, [MASTER], 'Open sesame')).rejects.toThrow(SealError);
  });

  // Whether a secret has a passphrase is decided once, by the service (an empty one is none); given "" here, seal
  // would have to guess, and a record could be flagged protected yet sealed without one.
  it('seal and open refuse an empty passphrase: only undefined means none', async () => {
    const key = generateKey();
    await expect(seal('v', key, MASTER, '', FAST)).rejects.toThrow('empty passphrase');
    await expect(open(await sealFast('v', key), key, [MASTER], '')).rejects.toThrow('empty passphrase');
  });

  it('refuses a passphrase for a record sealed without one', async () => {
    const key = generateKey();
    await expect(open(await sealFast('plain', key), key, [MASTER], 'anything')).rejects.toThrow(SealError);
  });

  it('treats canonically equal passphrases as equal (Unicode NFC)', async () => {
    const key = generateKey();
    const sealed = await sealFast('v', key, 'caf\u00e9');
    expect(await open(sealed, key, [MASTER], 'cafe\u0301')).toBe('v');
  });

  it('does not open a record moved under another secret key', async () => {
    const key = generateKey();
    const plain = await sealFast('bound', key);
    const guarded = await sealFast('bound', key, 'pw');
    await expect(open(plain, generateKey(), [MASTER])).rejects.toThrow(SealError);
    await expect(open(guarded, generateKey(), [MASTER], 'pw')).rejects.toThrow(SealError);
  });

  it('does not open a record with any single bit flipped', async () => {
    const key = generateKey();
    // Every bit of a plain record; one bit of each byte of a protected one, where each try costs an scrypt.
    for (const [sealed, passphrase, everyBit] of [
      [await sealFast('tamper-proof', key), undefined, true],
      [await sealFast('tamper-proof', key, 'pw'), 'pw', false],
    ] as const) {
      const opened: string[] = [];
      for (const [where, flipped] of bitFlips(sealed, everyBit)) if (await opens(flipped, key, passphrase)) opened.push(where);
      expect(opened).toEqual([]);
    }
  });

  it('does not open a truncated or empty record', async () => {
    const key = generateKey();
    const sealed = await sealFast('short', key);
    for (const cut of [sealed.subarray(0, -1), sealed.subarray(0, 10), Buffer.alloc(0)]) {
      await expect(open(cut, key, [MASTER])).rejects.toThrow(SealError);
    }
  });

  it('fails with a wrong master key and opens with a previous one still listed', async () => {
    const key = generateKey();
    const sealedUnderOld = await sealFast('rotated', key, undefined, OTHER_MASTER);
    const guardedUnderOld = await sealFast('rotated', key, 'pw', OTHER_MASTER);
    await expect(open(sealedUnderOld, key, [MASTER])).rejects.toThrow(SealError);
    await expect(open(guardedUnderOld, key, [MASTER], 'pw')).rejects.toThrow(SealError);
    expect(await open(sealedUnderOld, key, [MASTER, OTHER_MASTER])).toBe('rotated');
    expect(await open(guardedUnderOld, key, [MASTER, OTHER_MASTER], 'pw')).toBe('rotated');
  });

  it('seals the same value differently under each secret key (each key is its own salt)', async () => {
    const [a, b] = await Promise.all([sealFast('same value', generateKey()), sealFast('same value', generateKey())]);
    expect(a.equals(b)).toBe(false);
    expect(a.includes('same value')).toBe(false);
    // No padding: a record is a 2-byte header, the 16-byte tag and the ciphertext, as long as the value.
    expect(a.length).toBe(2 + 16 + 'same value'.length);
  });

  it('opens only the current format: a record with another version byte is refused', async () => {
    // No release ever wrote another format (the version 2 HKDF records of early development are not read).
    const key = generateKey();
    const sealed = await sealFast('current', key);
    expect(await open(sealed, key, [MASTER])).toBe('current');
    for (const version of [0, 2, 4]) {
      await expect(open(Buffer.concat([Buffer.from([version]), sealed.subarray(1)]), key, [MASTER])).rejects.toThrow(SealError);
    }
  });

  it('opens with the default scrypt cost as well', async () => {
    const key = generateKey();
    expect(await open(await seal('default cost', key, MASTER, 'pw'), key, [MASTER], 'pw')).toBe('default cost');
  });
});
