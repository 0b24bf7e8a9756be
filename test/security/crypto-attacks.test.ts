// Attacks on encryption at rest, through the API against a real Redis: someone with write access to Redis moves
// a ciphertext under another key or flips bits; an operator boots with the wrong master key or rotates keys.
// Every failure must be a clean contract error (no details, no plaintext) and must not lose the stored secret.
// (Sealing itself is unit-tested in test/crypto/seal.test.ts; refusing to boot as a process in test/e2e.)
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { StoredSecret } from '../../src/domain/store.js';
import { decodeRecord, encodeRecord } from '../../src/store/stored-record.js';
import { RedisKeys } from '../../src/store/redis-keys.js';
import type { RedisStore } from '../../src/store/redis-store.js';
import { makeApp, makeStore, TEST_MASTER_KEY, uniquePrefix, type TestApp } from '../support/app.js';

const NEW_MASTER_KEY = randomBytes(32).toString('hex');
const UNEXPECTED = { message: 'An unexpected error occurred :[' };

describe('crypto attacks through the API (redis store)', () => {
  const apps: TestApp[] = [];
  let prefix: string;

  /** A server instance on the shared prefix: several of them are one deployment restarted with other keys. */
  async function instance(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await makeApp('redis', { PASSPHRASE_MAX_ATTEMPTS: '1000', ...env }, { store: await makeStore('redis', undefined, prefix) });
    apps.push(t);
    return t;
  }
  const redisOf = (t: TestApp) => (t.store as RedisStore).redis;
  const secretKeyOf = (key: string) => new RedisKeys(prefix).secret(key);

  async function share(t: TestApp, form: Record<string, string>): Promise<{ secret_key: string; metadata_key: string }> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/share', payload: form });
    expect(res.statusCode).toBe(200);
    return res.json();
  }
  const reveal = (t: TestApp, key: string, passphrase?: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/secret/${key}`, payload: passphrase ? { passphrase } : {} });

  /** The stored record, decoded as the server decodes it: flag, metadata key, sealed bytes. */
  async function storedRecord(t: TestApp, key: string): Promise<StoredSecret> {
    return decodeRecord((await redisOf(t).getBuffer(secretKeyOf(key)))!)!;
  }
  /** Writes a record in place of the stored one, in the store's own format. */
  async function writeRecord(t: TestApp, key: string, record: StoredSecret) {
    return redisOf(t).set(secretKeyOf(key), encodeRecord(record), 'EX', 3600);
  }

  function expectCleanFailure(res: Awaited<ReturnType<typeof reveal>>, ...mustNotContain: string[]) {
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-ots-intended-status']).toBe('500');
    expect(res.json()).toEqual(UNEXPECTED);
    for (const text of mustNotContain) expect(res.body).not.toContain(text);
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });
  const fresh = () => {
    prefix = uniquePrefix();
  };

  it('a ciphertext moved under another secret key does not decrypt, and the victim secret is left alone', async () => {
    fresh();
    const t = await instance();
    const victim = await share(t, { secret: 'the victim value' });
    const target = await share(t, { secret: 'the target value' });
    const moved = await storedRecord(t, victim.secret_key);
    const original = await storedRecord(t, target.secret_key);
    // The attacker writes the victim's ciphertext where the target's was, keeping the target's framing.
    await writeRecord(t, target.secret_key, { ...original, sealed: moved.sealed });
    expectCleanFailure(await reveal(t, target.secret_key), 'the victim value', 'SealError');
    // The forged record is put back untouched for the operator to inspect; the victim's secret still reveals once.
    expect((await storedRecord(t, target.secret_key)).sealed.equals(moved.sealed)).toBe(true);
    expect((await reveal(t, victim.secret_key)).json()).toMatchObject({ value: 'the victim value' });
  });

  it('every single-bit flip of a stored record is refused cleanly, and the untouched record still opens', async () => {
    fresh();
    const t = await instance();
    const { secret_key: key } = await share(t, { secret: 'flip me if you can' });
    const record = await storedRecord(t, key);
    const bytes = record.sealed;
    let flips = 0;
    const opened: number[] = [];
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const tampered = Buffer.from(bytes);
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      await writeRecord(t, key, { ...record, sealed: tampered });
      const res = await reveal(t, key);
      flips++;
      if (res.statusCode === 200) opened.push(bit);
      else expectCleanFailure(res, 'flip me');
    }
    expect(opened).toEqual([]);
    expect(flips).toBe(bytes.length * 8); // header, tag and ciphertext: every bit
    expect(bytes.length).toBeGreaterThan('flip me if you can'.length + 16);
    await writeRecord(t, key, record);
    expect((await reveal(t, key)).json()).toMatchObject({ value: 'flip me if you can' });
  });

  it('bit flips in a passphrase-protected record look like a wrong passphrase and consume nothing', async () => {
    fresh();
    const t = await instance();
    const { secret_key: key } = await share(t, { secret: 'guarded', passphrase: 'pw-123' });
    const record = await storedRecord(t, key);
    const bytes = record.sealed;
    // One bit of every byte (header, scrypt cost, tag, ciphertext): each try costs a full scrypt.
    for (let at = 0; at < bytes.length; at++) {
      const tampered = Buffer.from(bytes);
      tampered[at]! ^= 0x10;
      await writeRecord(t, key, { ...record, sealed: tampered });
      const res = await reveal(t, key, 'pw-123');
      expect(res.json()).toEqual({ message: 'Unknown secret', secret_key: key });
    }
    await writeRecord(t, key, record);
    expect((await reveal(t, key, 'pw-123')).json()).toMatchObject({ value: 'guarded' });
  });

  it('a wrong master key fails cleanly, says why in the log only, and loses no secret', async () => {
    fresh();
    const before = await instance({ OTS_SECRET: TEST_MASTER_KEY });
    const plain = await share(before, { secret: 'survives a bad deploy' });
    const guarded = await share(before, { secret: 'guarded too', passphrase: 'pw-456' });

    const misconfigured = await instance({ OTS_SECRET: NEW_MASTER_KEY });
    expectCleanFailure(await reveal(misconfigured, plain.secret_key), 'survives', TEST_MASTER_KEY, NEW_MASTER_KEY);
    expect((await reveal(misconfigured, guarded.secret_key, 'pw-456')).json()).toEqual({
      message: 'Unknown secret',
      secret_key: guarded.secret_key,
    });
    const logs = misconfigured.logs.join('');
    expect(logs).toContain('does not open with OTS_SECRET or OTS_SECRET_PREVIOUS');
    expect(logs).not.toContain(plain.secret_key); // only its 6-character short form
    // The receipt still says the secret is there, and the fixed deployment reveals both.
    const receipt = await misconfigured.app.inject({ method: 'GET', url: `/api/v1/private/${plain.metadata_key}` });
    expect(receipt.json()).toMatchObject({ state: 'new', secret_key: plain.secret_key });
    const fixed = await instance({ OTS_SECRET: TEST_MASTER_KEY });
    expect((await reveal(fixed, plain.secret_key)).json()).toMatchObject({ value: 'survives a bad deploy' });
    expect((await reveal(fixed, guarded.secret_key, 'pw-456')).json()).toMatchObject({ value: 'guarded too' });
  });

  it('after rotation OTS_SECRET_PREVIOUS still opens old records, and new ones are sealed with the new key', async () => {
    fresh();
    const old = await instance({ OTS_SECRET: TEST_MASTER_KEY });
    const plain = await share(old, { secret: 'sealed before rotation' });
    const guarded = await share(old, { secret: 'guarded before rotation', passphrase: 'pw-789' });
    const burnable = await share(old, { secret: 'to be burned', passphrase: 'pw-burn' });

    const rotated = await instance({ OTS_SECRET: NEW_MASTER_KEY, OTS_SECRET_PREVIOUS: TEST_MASTER_KEY });
    expect((await reveal(rotated, plain.secret_key)).json()).toMatchObject({ value: 'sealed before rotation' });
    expect((await reveal(rotated, guarded.secret_key, 'pw-789')).json()).toMatchObject({ value: 'guarded before rotation' });
    const burn = await rotated.app.inject({
      method: 'POST',
      url: `/api/v1/private/${burnable.metadata_key}/burn`,
      payload: { passphrase: 'pw-burn' },
    });
    expect(burn.json()).toMatchObject({ state: { state: 'burned' } });

    const sealedAfter = await share(rotated, { secret: 'sealed after rotation' });
    // An instance still on the old key alone cannot open it (cleanly), so the new key really is in use.
    expectCleanFailure(await reveal(old, sealedAfter.secret_key), 'sealed after rotation');
    expect((await reveal(rotated, sealedAfter.secret_key)).json()).toMatchObject({ value: 'sealed after rotation' });
  });
});

describe('a weak or missing master key with Redis refuses to boot', () => {
  const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
  it.each([
    ['missing', {}, /OTS_SECRET is required when REDIS_URL is set.*openssl rand -hex 32/],
    ['empty', { OTS_SECRET: '  ' }, /OTS_SECRET is required when REDIS_URL is set/],
    ['16 bytes', { OTS_SECRET: 'ab'.repeat(16) }, /at least 32 random bytes, got 16/],
    ['31 bytes of base64', { OTS_SECRET: randomBytes(31).toString('base64') }, /at least 32 random bytes, got 31/],
    ['a repeated byte', { OTS_SECRET: '41'.repeat(32) }, /not random enough/],
    ['a password', { OTS_SECRET: 'correct horse battery staple!' }, /hex or base64/],
    ['a weak previous key', { OTS_SECRET: TEST_MASTER_KEY, OTS_SECRET_PREVIOUS: 'deadbeef' }, /OTS_SECRET_PREVIOUS must hold at least 32/],
  ])('%s: a ConfigError that says what to do, without echoing the key', (_name, env, message) => {
    let error: unknown;
    try {
      loadConfig({ ...redis, ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    const given = (env as Record<string, string>).OTS_SECRET_PREVIOUS ?? (env as Record<string, string>).OTS_SECRET;
    if (given?.trim()) expect((error as Error).message).not.toContain(given.trim());
  });
});
