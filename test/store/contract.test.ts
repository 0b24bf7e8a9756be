// The SecretStore / AccountStore contract (src/domain/store.ts), pinned once and run against both stores, so the
// embedded memory store and Redis cannot drift apart. Fixtures are made as production makes them: a receipt whose
// metadata key the store picks, a value sealed by seal(), stored by create (the store writes the record itself).
// The memory store runs on a fake clock; Redis on real TTLs, waited out by polling only where expiry is the point.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { open, seal } from '../../src/crypto/seal.js';
import { generateKey } from '../../src/domain/keys.js';
import { OVERRIDABLE_STATES, type ReceiptRecord, type State } from '../../src/domain/receipt.js';
import type { Settle, Store, StoredSecret } from '../../src/domain/store.js';
import { makeStore, STORE_KINDS, TEST_MASTER_KEY, uniquePrefix } from '../support/app.js';

const T0 = 1_700_000_000; // epoch seconds used as `created` in fixtures
const HOUR = 3600;
const MASTER = Buffer.from(TEST_MASTER_KEY, 'hex');
/** A cheap scrypt: the store never evaluates a passphrase, it only keeps what seal() made. */
const CHEAP_SCRYPT = { log2N: 10, r: 1, p: 1 };
const PASSPHRASE = 'correct horse';
const SETTLE_AT = T0 + 5;
const toReceived: Settle = { to: 'received', from: OVERRIDABLE_STATES, at: SETTLE_AT };
const toBurned: Settle = { to: 'burned', from: OVERRIDABLE_STATES, at: SETTLE_AT };

describe.each(STORE_KINDS)('store contract (%s)', (kind) => {
  let store: Store;
  /** The store plus, for Redis, more clients on the same keys: separate server instances sharing one Redis. */
  let instances: Store[];
  let clockMs = T0 * 1000;

  /**
   * Lets `seconds` pass as far as the store can tell, then requires `check` to pass: the memory store's clock
   * jumps; with Redis the real TTL runs out, polled (never a fixed sleep).
   */
  async function afterSeconds(seconds: number, check: () => Promise<void>): Promise<void> {
    if (kind === 'memory') {
      clockMs += seconds * 1000;
      await check();
    } else {
      await vi.waitFor(check, { timeout: seconds * 1000 + 3000, interval: 25 });
    }
  }

  interface Made {
    secretKey: string;
    metadataKey: string;
    receipt: ReceiptRecord;
    /** The secret as the store should keep it: the receipt's key and flag, and the sealed value. */
    secret: StoredSecret;
    value: string;
  }

  /**
   * Stores a secret the way the service does: the store picks the metadata key, the value is sealed (with a
   * passphrase when `protected`), and create gets the receipt and the sealed bytes.
   */
  async function create(
    over: Partial<Omit<ReceiptRecord, 'metadataKey' | 'passphraseRequired'>> = {},
    opts: { protected?: boolean; recentLimit?: number } = {},
  ): Promise<Made> {
    const secretKey = over.secretKey ?? generateKey();
    const passphrase = opts.protected ? PASSPHRASE : undefined;
    const receipt: ReceiptRecord = {
      metadataKey: store.secrets.newMetadataKey(secretKey),
      secretKey,
      custid: 'anon',
      ttl: HOUR,
      created: T0,
      updated: T0,
      state: 'new',
      shareDomain: '',
      passphraseRequired: passphrase !== undefined,
      kind: 'conceal',
      ...over,
    };
    const value = `value of ${secretKey}`;
    const sealed = await seal(value, secretKey, MASTER, passphrase, CHEAP_SCRYPT);
    await store.secrets.create({ ...receipt }, sealed, opts.recentLimit ?? 100);
    const secret = { metadataKey: receipt.metadataKey, passphraseProtected: receipt.passphraseRequired, sealed };
    return { secretKey, metadataKey: receipt.metadataKey, receipt, secret, value };
  }

  const receiptOf = async (metadataKey: string) => (await store.secrets.getReceipt(metadataKey))?.receipt;
  const secondsLeft = async (secretKey: string) => (await store.secrets.inspect(secretKey))?.ttl ?? null;

  /** 50 calls of `op` at once, spread over the instances. */
  const fifty = <T>(op: (s: Store, i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: 50 }, (_, i) => op(instances[i % instances.length]!, i)));

  beforeAll(async () => {
    const prefix = uniquePrefix();
    store = await makeStore(kind, () => clockMs, prefix);
    const peers = kind === 'redis' ? await Promise.all([1, 2, 3, 4].map(() => makeStore(kind, undefined, prefix))) : [];
    instances = [store, ...peers];
  });
  afterAll(() => Promise.all(instances.map((s) => s.close())));
  beforeEach(() => {
    clockMs = T0 * 1000;
  });

  describe('create', () => {
    it('stores the secret for ttl seconds and the receipt for 2 × ttl, as given', async () => {
      const { secretKey, metadataKey, receipt } = await create({ ttl: HOUR });
      const secretTtl = await secondsLeft(secretKey);
      expect(secretTtl).toBeGreaterThanOrEqual(HOUR - 1);
      expect(secretTtl).toBeLessThanOrEqual(HOUR);
      const found = await store.secrets.getReceipt(metadataKey);
      expect(found?.receipt).toEqual(receipt);
      expect(found?.metadataTtl).toBeGreaterThanOrEqual(2 * HOUR - 1);
      expect(found?.metadataTtl).toBeLessThanOrEqual(2 * HOUR);
      expect(Number.isInteger(secretTtl)).toBe(true);
      expect(Number.isInteger(found?.metadataTtl)).toBe(true);
    });

    it('keeps every receipt field, including recipient, share domain, owner, kind and the passphrase flag', async () => {
      const { metadataKey, receipt } = await create(
        {
          custid: 'alice@example.com',
          ownerId: `ur${generateKey(20)}`,
          recipient: 'jo*****@m*****.org',
          shareDomain: 'example.com',
          state: 'viewed',
          kind: 'generate',
          ttl: 60,
        },
        { protected: true },
      );
      expect(receipt.passphraseRequired).toBe(true);
      expect(await receiptOf(metadataKey)).toEqual(receipt);
    });

    it('writes the secret from the receipt: its metadata key and passphrase flag, and the sealed bytes as given', async () => {
      for (const protectedByPassphrase of [false, true]) {
        const made = await create({}, { protected: protectedByPassphrase });
        expect(await store.secrets.inspect(made.secretKey)).toMatchObject({
          metadataKey: made.metadataKey,
          passphraseProtected: protectedByPassphrase,
        });
        const claim = await store.secrets.claim(made.secretKey, toReceived);
        expect(claim).toMatchObject({ secret: made.secret });
        if (claim.status === 'missing') throw new Error('the secret just made is missing');
        // Binary-safe: what comes back opens to the value sealed.
        const passphrase = protectedByPassphrase ? PASSPHRASE : undefined;
        expect(await open(claim.secret.sealed, made.secretKey, [MASTER], passphrase)).toBe(made.value);
      }
    });

    it('knows nothing of keys it never stored', async () => {
      const key = generateKey();
      expect(await store.secrets.claim(key, toReceived)).toEqual({ status: 'missing' });
      expect(await store.secrets.inspect(key)).toBeNull();
      expect(await store.secrets.getReceipt(key)).toBeNull();
      expect(await store.secrets.viewReceipt(key, undefined)).toBeNull();
    });
  });

  describe('claim', () => {
    it('takes an unprotected secret in one step: claimed once, gone after', async () => {
      const { secretKey, secret } = await create({ ttl: HOUR });
      const claim = await store.secrets.claim(secretKey, toReceived);
      expect(claim).toMatchObject({ status: 'claimed', secret });
      if (claim.status !== 'claimed') return;
      expect(claim.pttl).toBeGreaterThan(HOUR * 1000 - 5000);
      expect(claim.pttl).toBeLessThanOrEqual(HOUR * 1000);
      expect(await store.secrets.claim(secretKey, toReceived)).toEqual({ status: 'missing' });
      expect(await store.secrets.inspect(secretKey)).toBeNull();
    });

    it('moves the receipt to received in the same step, and answers the receipt as it was before', async () => {
      const { secretKey, metadataKey, receipt } = await create({ state: 'viewed' });
      const claim = await store.secrets.claim(secretKey, toReceived);
      expect(claim).toMatchObject({ status: 'claimed', receipt });
      expect(await receiptOf(metadataKey)).toEqual({ ...receipt, state: 'received', updated: SETTLE_AT, received: SETTLE_AT });
    });

    it('moves it as the settle says (a burn)', async () => {
      const { secretKey, metadataKey, receipt } = await create();
      expect(await store.secrets.claim(secretKey, toBurned)).toMatchObject({ status: 'claimed', receipt });
      expect(await receiptOf(metadataKey)).toEqual({ ...receipt, state: 'burned', updated: SETTLE_AT });
    });

    it('leaves a receipt that is not in a state it may move from (burned) as it is', async () => {
      const { secretKey, metadataKey, receipt } = await create({ state: 'burned' });
      expect(await store.secrets.claim(secretKey, toReceived)).toMatchObject({ status: 'claimed', receipt });
      expect(await receiptOf(metadataKey)).toEqual(receipt);
    });

    it('leaves a protected secret and its receipt in place, with no failed attempts yet', async () => {
      const { secretKey, metadataKey, receipt, secret } = await create({}, { protected: true });
      for (let i = 0; i < 2; i++) {
        const claim = await store.secrets.claim(secretKey, toReceived);
        expect(claim).toMatchObject({ status: 'protected', secret, failedAttempts: 0, receipt });
        if (claim.status === 'protected') expect(claim.attemptsTtl).toBeLessThanOrEqual(0);
      }
      expect(await store.secrets.inspect(secretKey)).not.toBeNull();
      expect(await receiptOf(metadataKey)).toEqual(receipt);
    });

    it("of 50 concurrent claims of one secret, exactly one gets it and the receipt moves once, to the winner's time", async () => {
      const { secretKey, metadataKey, secret } = await create();
      const results = await fifty((s, i) => s.secrets.claim(secretKey, { ...toReceived, at: SETTLE_AT + i }));
      const won = results.flatMap((r, i) => (r.status === 'claimed' ? [i] : []));
      expect(won).toHaveLength(1);
      expect(results[won[0]!]).toMatchObject({ secret, receipt: { state: 'new' } });
      expect(results.filter((r) => r.status === 'missing')).toHaveLength(49);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'received', received: SETTLE_AT + won[0]! });
    });
  });

  describe('inspect', () => {
    it('answers the flag, the whole seconds left, the metadata key, the receipt and the failed attempts, never the sealed value', async () => {
      const plain = await create({ ttl: HOUR });
      const guarded = await create({ ttl: HOUR, state: 'viewed' }, { protected: true });
      await store.secrets.recordFailedAttempt(guarded.secretKey, 60);
      const seen = await store.secrets.inspect(plain.secretKey);
      expect(seen).toEqual({
        passphraseProtected: false,
        ttl: expect.any(Number),
        metadataKey: plain.metadataKey,
        receipt: plain.receipt,
        failedAttempts: 0,
        attemptsTtl: expect.any(Number),
      });
      expect(seen!.ttl).toBeGreaterThanOrEqual(HOUR - 1);
      expect(seen!.ttl).toBeLessThanOrEqual(HOUR);
      expect(await store.secrets.inspect(guarded.secretKey)).toEqual({
        passphraseProtected: true,
        ttl: expect.any(Number),
        metadataKey: guarded.metadataKey,
        receipt: guarded.receipt,
        failedAttempts: 1,
        attemptsTtl: expect.any(Number),
      });
      expect(await store.secrets.inspect(generateKey())).toBeNull();
    });

    it('never claims, counts an attempt or moves the receipt', async () => {
      const plain = await create();
      const guarded = await create({}, { protected: true });
      for (let i = 0; i < 3; i++) {
        await store.secrets.inspect(plain.secretKey);
        await store.secrets.inspect(guarded.secretKey);
      }
      expect(await receiptOf(plain.metadataKey)).toEqual(plain.receipt);
      expect(await store.secrets.claim(plain.secretKey, toReceived)).toMatchObject({ status: 'claimed', secret: plain.secret });
      expect(await store.secrets.claim(guarded.secretKey, toReceived)).toMatchObject({ status: 'protected', failedAttempts: 0 });
      expect(await store.secrets.inspect(plain.secretKey)).toBeNull();
    });
  });

  describe('claimIfUnchanged', () => {
    it('wins once for the secret as read, settling its receipt, then loses', async () => {
      const { secretKey, metadataKey, receipt } = await create({}, { protected: true });
      const claim = await store.secrets.claim(secretKey, toReceived);
      if (claim.status !== 'protected') throw new Error(`expected a protected secret, got ${claim.status}`);
      expect(await store.secrets.claimIfUnchanged(secretKey, claim.secret, toReceived)).toBe(true);
      expect(await receiptOf(metadataKey)).toEqual({ ...receipt, state: 'received', updated: SETTLE_AT, received: SETTLE_AT });
      expect(await store.secrets.claimIfUnchanged(secretKey, claim.secret, toReceived)).toBe(false);
      expect(await store.secrets.claim(secretKey, toReceived)).toEqual({ status: 'missing' });
    });

    it('loses, and deletes or settles nothing, when the secret changed since it was read', async () => {
      const { secretKey, metadataKey, receipt, secret } = await create({}, { protected: true });
      const changed: StoredSecret[] = [
        { ...secret, sealed: Buffer.concat([secret.sealed, Buffer.from('x')]) },
        { ...secret, passphraseProtected: false },
      ];
      for (const other of changed) expect(await store.secrets.claimIfUnchanged(secretKey, other, toReceived)).toBe(false);
      expect(await store.secrets.claim(secretKey, toReceived)).toMatchObject({ status: 'protected', secret });
      expect(await receiptOf(metadataKey)).toEqual(receipt);
    });

    it('loses when the secret is gone', async () => {
      const { secretKey, secret } = await create({}, { protected: true });
      expect(await store.secrets.claimIfUnchanged(secretKey, secret, toBurned)).toBe(true);
      expect(await store.secrets.claimIfUnchanged(secretKey, secret, toBurned)).toBe(false);
    });

    it('clears the failed-attempt count along with the secret', async () => {
      const { secretKey, secret } = await create({}, { protected: true });
      await store.secrets.recordFailedAttempt(secretKey, 600);
      expect(await store.secrets.claimIfUnchanged(secretKey, secret, toReceived)).toBe(true);
      // A new secret under the same key starts with a clean count.
      await create({ secretKey }, { protected: true });
      expect(await store.secrets.claim(secretKey, toReceived)).toMatchObject({ status: 'protected', failedAttempts: 0 });
    });

    it('of 50 concurrent conditional claims, exactly one wins and the receipt moves once', async () => {
      const { secretKey, metadataKey, secret } = await create({}, { protected: true });
      const results = await fifty((s, i) => s.secrets.claimIfUnchanged(secretKey, secret, { ...toBurned, at: SETTLE_AT + i }));
      const won = results.flatMap((r, i) => (r ? [i] : []));
      expect(won).toHaveLength(1);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'burned', updated: SETTLE_AT + won[0]! });
      expect(await store.secrets.claim(secretKey, toReceived)).toEqual({ status: 'missing' });
    });
  });

  describe('restore', () => {
    async function claimed(made: Made) {
      const claim = await store.secrets.claim(made.secretKey, toReceived);
      if (claim.status !== 'claimed') throw new Error(`expected a claim, got ${claim.status}`);
      return claim;
    }

    it('puts back a claimed secret with the time it had left, and its receipt as it was', async () => {
      const made = await create({ ttl: HOUR, state: 'viewed' });
      const claim = await claimed(made);
      expect(await receiptOf(made.metadataKey)).toMatchObject({ state: 'received' });
      await store.secrets.restore(made.secretKey, claim.secret, claim.pttl, claim.receipt, toReceived);
      expect(await receiptOf(made.metadataKey)).toEqual(made.receipt);
      const ttl = await secondsLeft(made.secretKey);
      expect(ttl).toBeGreaterThanOrEqual(HOUR - 2);
      expect(ttl).toBeLessThanOrEqual(HOUR);
      expect(await store.secrets.claim(made.secretKey, toReceived)).toMatchObject({ status: 'claimed', secret: made.secret, receipt: made.receipt });
    });

    it('reports remaining time in whole seconds rounded down', async () => {
      const made = await create();
      const claim = await claimed(made);
      await store.secrets.restore(made.secretKey, claim.secret, 1999, claim.receipt, toReceived);
      expect(await secondsLeft(made.secretKey)).toBe(1);
    });

    it('leaves a receipt that moved again since (burned by its owner) as it is', async () => {
      const made = await create();
      const claim = await claimed(made);
      expect(await store.secrets.transition(made.metadataKey, ['received'], 'burned', SETTLE_AT + 1)).toBe(true);
      await store.secrets.restore(made.secretKey, claim.secret, claim.pttl, claim.receipt, toReceived);
      expect(await receiptOf(made.metadataKey)).toMatchObject({ state: 'burned', updated: SETTLE_AT + 1 });
    });

    it('leaves a receipt the claim did not move (not in a state it may move from) as it is', async () => {
      const made = await create({ state: 'burned' });
      const claim = await claimed(made);
      await store.secrets.restore(made.secretKey, claim.secret, claim.pttl, claim.receipt, toReceived);
      expect(await receiptOf(made.metadataKey)).toEqual(made.receipt);
    });

    it('puts nothing back when no time was left', async () => {
      for (const pttl of [0, -2]) {
        const made = await create();
        const claim = await claimed(made);
        await store.secrets.restore(made.secretKey, claim.secret, pttl, claim.receipt, toReceived);
        expect(await store.secrets.claim(made.secretKey, toReceived)).toEqual({ status: 'missing' });
      }
    });

    it('never overwrites a secret that is there', async () => {
      const first = await create();
      const claim = await claimed(first);
      const second = await create({ secretKey: first.secretKey });
      await store.secrets.restore(first.secretKey, claim.secret, claim.pttl, claim.receipt, toReceived);
      expect(await store.secrets.claim(first.secretKey, toReceived)).toMatchObject({ status: 'claimed', secret: second.secret });
    });
  });

  describe('setMemo', () => {
    it("sets an existing receipt's memo and keeps its TTL; false for an unknown receipt", async () => {
      const { metadataKey } = await create({ ttl: HOUR });
      const before = await store.secrets.getReceipt(metadataKey);
      expect(await store.secrets.setMemo(metadataKey, 'for the auditors')).toBe(true);
      const after = await store.secrets.getReceipt(metadataKey);
      expect(after!.receipt).toEqual({ ...before!.receipt, memo: 'for the auditors' });
      expect(after!.metadataTtl).toBeGreaterThan(HOUR);
      expect(await store.secrets.setMemo(generateKey(), 'x')).toBe(false);
      expect(await store.secrets.getReceipt(generateKey())).toBeNull();
    });
  });

  describe('recordFailedAttempt', () => {
    it('counts wrong passphrases per secret within a window', async () => {
      const { secretKey } = await create({}, { protected: true });
      const other = await create({}, { protected: true });
      const counts: { attempts: number; ttl: number }[] = [];
      for (let i = 0; i < 3; i++) counts.push(await store.secrets.recordFailedAttempt(secretKey, 600));
      expect(counts.map((c) => c.attempts)).toEqual([1, 2, 3]);
      for (const c of counts) {
        expect(c.ttl).toBeGreaterThan(0);
        expect(c.ttl).toBeLessThanOrEqual(600);
      }
      const claim = await store.secrets.claim(secretKey, toReceived);
      expect(claim).toMatchObject({ status: 'protected', failedAttempts: 3 });
      if (claim.status === 'protected') expect(claim.attemptsTtl).toBeGreaterThan(590);
      expect(await store.secrets.claim(other.secretKey, toReceived)).toMatchObject({ failedAttempts: 0 });
    });

    it('keeps the window of the first attempt: later attempts neither extend nor reset it', async () => {
      const { secretKey } = await create({}, { protected: true });
      await store.secrets.recordFailedAttempt(secretKey, 10);
      const later = await store.secrets.recordFailedAttempt(secretKey, 600);
      expect(later).toEqual({ attempts: 2, ttl: expect.any(Number) });
      expect(later.ttl).toBeLessThanOrEqual(10);
    });
  });

  describe('viewReceipt', () => {
    it("answers the receipt as it was, with its time left and its secret's, and a first view moves new to viewed", async () => {
      const { metadataKey, receipt } = await create({ ttl: HOUR });
      const first = await store.secrets.viewReceipt(metadataKey, undefined);
      expect(first?.receipt).toEqual(receipt);
      expect(first?.metadataTtl).toBeGreaterThanOrEqual(2 * HOUR - 1);
      expect(first?.secretTtl).toBeGreaterThanOrEqual(HOUR - 1);
      expect(first?.secretTtl).toBeLessThanOrEqual(HOUR);
      const second = await store.secrets.viewReceipt(metadataKey, undefined);
      expect(second?.receipt).toEqual({ ...receipt, state: 'viewed' });
    });

    it("only the owner's view moves it when a viewer is named; an anonymous secret's moves for anyone", async () => {
      const owned = await create({ custid: 'alice@example.com' });
      expect(await store.secrets.viewReceipt(owned.metadataKey, 'bob@example.com')).toMatchObject({ receipt: { state: 'new' } });
      expect((await receiptOf(owned.metadataKey))?.state).toBe('new');
      await store.secrets.viewReceipt(owned.metadataKey, 'alice@example.com');
      expect((await receiptOf(owned.metadataKey))?.state).toBe('viewed');
      const anonymous = await create();
      await store.secrets.viewReceipt(anonymous.metadataKey, 'bob@example.com');
      expect((await receiptOf(anonymous.metadataKey))?.state).toBe('viewed');
    });

    it('reports a secret that is gone as null, and does not look for one once the receipt is settled', async () => {
      const taken = await create({ state: 'viewed' });
      // A burn settle from 'new' only: the secret goes, the viewed receipt stays as it is.
      await store.secrets.claim(taken.secretKey, { to: 'burned', from: ['new'], at: SETTLE_AT });
      expect(await store.secrets.viewReceipt(taken.metadataKey, undefined)).toMatchObject({ receipt: { state: 'viewed' }, secretTtl: null });
      const burned = await create({ state: 'burned' });
      expect(await store.secrets.inspect(burned.secretKey)).not.toBeNull();
      expect(await store.secrets.viewReceipt(burned.metadataKey, undefined)).toMatchObject({ receipt: { state: 'burned' }, secretTtl: null });
    });

    it('knows nothing of receipts it never stored', async () => {
      expect(await store.secrets.viewReceipt(generateKey(), undefined)).toBeNull();
    });
  });

  describe('receipts and transitions', () => {
    it('moves a receipt only from an allowed state, stamping updated', async () => {
      const { metadataKey, receipt } = await create({ state: 'new' });
      expect(await store.secrets.transition(metadataKey, ['new'], 'viewed', T0 + 5)).toBe(true);
      expect((await store.secrets.getReceipt(metadataKey))?.receipt).toEqual({ ...receipt, state: 'viewed', updated: T0 + 5 });
      expect(await store.secrets.transition(metadataKey, ['new'], 'burned', T0 + 6)).toBe(false);
      expect((await store.secrets.getReceipt(metadataKey))?.receipt).toMatchObject({ state: 'viewed', updated: T0 + 5 });
    });

    it.each<State>(['received', 'burned', 'expired', 'orphaned'])('moves a live receipt to %s', async (to) => {
      const { metadataKey, receipt } = await create({ state: 'viewed' });
      expect(await store.secrets.transition(metadataKey, ['new', 'viewed'], to, T0 + 9)).toBe(true);
      const expected: ReceiptRecord = { ...receipt, state: to, updated: T0 + 9 };
      if (to === 'received') expected.received = T0 + 9;
      expect((await store.secrets.getReceipt(metadataKey))?.receipt).toEqual(expected);
    });

    it('keeps the receipt TTL across a transition', async () => {
      const { metadataKey } = await create({ ttl: HOUR });
      if (kind === 'memory') clockMs += 10_000;
      expect(await store.secrets.transition(metadataKey, ['new'], 'received', T0 + 10)).toBe(true);
      const found = await store.secrets.getReceipt(metadataKey);
      expect(found?.metadataTtl).toBeLessThanOrEqual(kind === 'memory' ? 2 * HOUR - 10 : 2 * HOUR);
      expect(found?.metadataTtl).toBeGreaterThanOrEqual(2 * HOUR - 12);
    });

    it('does not create a receipt that is not there', async () => {
      const key = generateKey();
      expect(await store.secrets.transition(key, ['new', 'viewed'], 'received', T0)).toBe(false);
      expect(await store.secrets.getReceipt(key)).toBeNull();
    });

    it('of 50 concurrent transitions of one receipt, exactly one moves it', async () => {
      const { metadataKey } = await create({ state: 'viewed' });
      let n = 0;
      const results = await fifty((s) => s.secrets.transition(metadataKey, ['new', 'viewed'], n++ % 2 ? 'burned' : 'received', T0));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('recent', () => {
    it('lists an owner’s receipts newest first, trimmed to the limit, per owner', async () => {
      const owner = `${generateKey()}@example.com`;
      const other = `${generateKey()}@example.com`;
      const made: { metadataKey: string; created: number }[] = [];
      // Created out of order: the list is by creation time, not by insertion.
      for (const offset of [2, 0, 4, 1, 3]) {
        const { metadataKey } = await create({ custid: owner, created: T0 + offset }, { recentLimit: 3 });
        made.push({ metadataKey, created: T0 + offset });
      }
      const theirs = await create({ custid: other }, { recentLimit: 3 });
      const byCreated = (offset: number) => made.find((m) => m.created === T0 + offset)!.metadataKey;

      expect(await store.secrets.recent(owner, 100)).toEqual([byCreated(4), byCreated(3), byCreated(2)]);
      expect(await store.secrets.recent(owner, 2)).toEqual([byCreated(4), byCreated(3)]);
      expect(await store.secrets.recent(other, 100)).toEqual([theirs.metadataKey]);
    });

    it('puts a receipt made in the same second as others above them', async () => {
      const owner = `${generateKey()}@example.com`;
      const keys: string[] = [];
      for (let i = 0; i < 3; i++) keys.push((await create({ custid: owner, created: T0 })).metadataKey);
      const later = await create({ custid: owner, created: T0 + 1 });
      expect(await store.secrets.recent(owner, 100)).toEqual([later.metadataKey, keys[2], keys[1], keys[0]]);
    });

    it('keeps no list for anonymous secrets, nor for unknown owners', async () => {
      await create({ custid: 'anon' });
      expect(await store.secrets.recent('anon', 100)).toEqual([]);
      expect(await store.secrets.recent(`${generateKey()}@example.com`, 100)).toEqual([]);
    });
  });

  describe('expiry', () => {
    it('a secret goes at its TTL, its receipt at twice that, and a guessing window ends', async () => {
      const { secretKey, metadataKey } = await create({ ttl: 1 }, { protected: true });
      await store.secrets.recordFailedAttempt(secretKey, 1);
      const windowed = await create({ ttl: HOUR }, { protected: true });
      await store.secrets.recordFailedAttempt(windowed.secretKey, 1);

      await afterSeconds(1, async () => {
        expect(await store.secrets.inspect(secretKey)).toBeNull();
        expect(await store.secrets.claim(secretKey, toReceived)).toEqual({ status: 'missing' });
        expect(await store.secrets.claim(windowed.secretKey, toReceived)).toMatchObject({ status: 'protected', failedAttempts: 0 });
      });
      // The receipt outlives its secret, which a view of it reports as gone.
      expect(await store.secrets.viewReceipt(metadataKey, undefined)).toMatchObject({ receipt: { state: 'new' }, secretTtl: null });
      expect(await store.secrets.recordFailedAttempt(windowed.secretKey, 1)).toMatchObject({ attempts: 1 });

      await afterSeconds(1, async () => {
        expect(await store.secrets.getReceipt(metadataKey)).toBeNull();
      });
      expect(await store.secrets.transition(metadataKey, ['new'], 'received', T0)).toBe(false);
    });
  });

  describe('accounts', () => {
    const account = (email: string, tokenHash = 'a'.repeat(64)) => ({
      email,
      tokenHash,
      created: T0,
      customerId: `ur${generateKey(20)}`,
      organizationId: `on${generateKey(20)}`,
    });

    it('puts, gets, replaces, lists and deletes accounts', async () => {
      const bob = account('bob@example.com');
      const alice = account('alice@example.com');
      expect(await store.accounts.getAccount(alice.email)).toBeNull();
      await store.accounts.putAccount(bob);
      await store.accounts.putAccount(alice);
      expect(await store.accounts.getAccount(alice.email)).toEqual(alice);

      const rotated = { ...alice, tokenHash: 'b'.repeat(64) };
      await store.accounts.putAccount(rotated);
      expect(await store.accounts.getAccount(alice.email)).toEqual(rotated);
      expect(await store.accounts.listAccounts()).toEqual([rotated, bob]);

      // Either public id finds the account's email; rotation kept them.
      expect(await store.accounts.emailOfId(alice.customerId)).toBe(alice.email);
      expect(await store.accounts.emailOfId(alice.organizationId)).toBe(alice.email);
      expect(await store.accounts.emailOfId(`ur${generateKey(20)}`)).toBeNull();

      expect(await store.accounts.deleteAccount(alice.email)).toBe(true);
      expect(await store.accounts.deleteAccount(alice.email)).toBe(false);
      expect(await store.accounts.getAccount(alice.email)).toBeNull();
      expect(await store.accounts.emailOfId(alice.customerId)).toBeNull();
      expect(await store.accounts.listAccounts()).toEqual([bob]);
      expect(await store.accounts.deleteAccount(bob.email)).toBe(true);
      expect(await store.accounts.listAccounts()).toEqual([]);
    });
  });
});
