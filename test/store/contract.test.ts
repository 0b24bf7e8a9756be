import { randomBytes } from 'node:crypto';
// The SecretStore / AccountStore contract (src/store/types.ts), pinned once and run against both stores, so the
// embedded memory store and Redis cannot drift apart. The memory store runs on a fake clock; Redis on real TTLs,
// waited out by polling only where expiry itself is the point.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKey } from '../../src/domain/keys.js';
import { OVERRIDABLE_STATES, type ReceiptRecord, type State } from '../../src/domain/receipt.js';
import { decodeSecretRecord, encodeSecretRecord } from '../../src/domain/secret-record.js';
import type { Settle, Store } from '../../src/domain/store.js';
import { makeStore, STORE_KINDS, uniquePrefix } from '../support/app.js';

const T0 = 1_700_000_000; // epoch seconds used as `created` in fixtures
const HOUR = 3600;

/** A stored secret record (binary); only its first byte ('P' = passphrase-protected) means anything to a store. */
function secretRecord(protectedByPassphrase = false): Buffer {
  // Bytes that are not UTF-8 on purpose: the stores must keep records binary-safe.
  const sealed = Buffer.concat([Buffer.from([0xff, 0x00, 0x3a, 0x80]), randomBytes(40)]);
  return encodeSecretRecord({ metadataKey: generateKey(), passphraseProtected: protectedByPassphrase, sealed });
}

function receiptFor(secretKey: string, over: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    metadataKey: generateKey(),
    secretKey,
    custid: 'anon',
    ttl: HOUR,
    created: T0,
    updated: T0,
    state: 'new',
    shareDomain: '',
    passphraseRequired: false,
    kind: 'conceal',
    ...over,
  };
}

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

  /** Creates a secret with its receipt and returns both keys and the record. */
  async function create(over: Partial<ReceiptRecord> = {}, opts: { protected?: boolean; recentLimit?: number } = {}) {
    const secretKey = generateKey();
    const record = secretRecord(opts.protected);
    const receipt = receiptFor(secretKey, over);
    await store.secrets.create(secretKey, record, receipt, opts.recentLimit ?? 100);
    return { secretKey, record, receipt, metadataKey: receipt.metadataKey };
  }

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
      const secretTtl = await store.secrets.secretTtl(secretKey);
      expect(secretTtl).toBeGreaterThanOrEqual(HOUR - 1);
      expect(secretTtl).toBeLessThanOrEqual(HOUR);
      const found = await store.secrets.getReceipt(metadataKey);
      expect(found?.receipt).toEqual(receipt);
      expect(found?.metadataTtl).toBeGreaterThanOrEqual(2 * HOUR - 1);
      expect(found?.metadataTtl).toBeLessThanOrEqual(2 * HOUR);
      expect(Number.isInteger(secretTtl)).toBe(true);
      expect(Number.isInteger(found?.metadataTtl)).toBe(true);
    });

    it('keeps every receipt field, including recipient, share domain and the passphrase flag', async () => {
      const { metadataKey, receipt } = await create({
        custid: 'alice@example.com',
        recipient: 'jo*****@m*****.org',
        shareDomain: 'example.com',
        passphraseRequired: true,
        state: 'viewed',
        ttl: 60,
      });
      expect((await store.secrets.getReceipt(metadataKey))?.receipt).toEqual(receipt);
    });

    it('knows nothing of keys it never stored', async () => {
      const key = generateKey();
      expect(await store.secrets.claim(key)).toEqual({ status: 'missing' });
      expect(await store.secrets.secretTtl(key)).toBeNull();
      expect(await store.secrets.getReceipt(key)).toBeNull();
    });

    it('reports remaining time in whole seconds rounded down', async () => {
      const key = generateKey();
      await store.secrets.restore(key, secretRecord(), 1999);
      expect(await store.secrets.secretTtl(key)).toBe(1);
    });
  });

  describe('claim', () => {
    it('takes an unprotected secret in one step: claimed once, gone after', async () => {
      const { secretKey, record } = await create({ ttl: HOUR });
      const claim = await store.secrets.claim(secretKey);
      expect(claim).toMatchObject({ status: 'claimed', record });
      if (claim.status !== 'claimed') return;
      expect(claim.pttl).toBeGreaterThan(0);
      expect(claim.pttl).toBeLessThanOrEqual(HOUR * 1000);
      expect(await store.secrets.claim(secretKey)).toEqual({ status: 'missing' });
      expect(await store.secrets.secretTtl(secretKey)).toBeNull();
    });

    it('leaves a protected secret in place and reports no failed attempts yet', async () => {
      const { secretKey, record } = await create({ passphraseRequired: true }, { protected: true });
      for (let i = 0; i < 2; i++) {
        const claim = await store.secrets.claim(secretKey);
        expect(claim).toMatchObject({ status: 'protected', record, failedAttempts: 0 });
        if (claim.status === 'protected') expect(claim.attemptsTtl).toBeLessThanOrEqual(0);
      }
      expect(await store.secrets.secretTtl(secretKey)).not.toBeNull();
    });

    it('of 50 concurrent claims of one unprotected secret, exactly one gets it', async () => {
      const { secretKey, record } = await create();
      const results = await fifty((s) => s.secrets.claim(secretKey));
      const won = results.filter((r) => r.status === 'claimed');
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ record });
      expect(results.filter((r) => r.status === 'missing')).toHaveLength(49);
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

  describe('peek', () => {
    it('tells whether a secret exists, needs a passphrase, and its whole seconds left', async () => {
      const plain = await create({ ttl: HOUR });
      const guarded = await create({ ttl: HOUR }, { protected: true });
      const seen = await store.secrets.peek(plain.secretKey);
      expect(seen).toEqual({
        passphraseProtected: false,
        ttl: expect.any(Number),
        metadataKey: decodeSecretRecord(plain.record)!.metadataKey,
      });
      expect(seen!.ttl).toBeGreaterThanOrEqual(HOUR - 1);
      expect(seen!.ttl).toBeLessThanOrEqual(HOUR);
      expect(await store.secrets.peek(guarded.secretKey)).toMatchObject({ passphraseProtected: true });
      expect(await store.secrets.peek(generateKey())).toBeNull();
    });

    it('never claims, never counts an attempt', async () => {
      const plain = await create();
      const guarded = await create({}, { protected: true });
      await store.secrets.peek(plain.secretKey);
      await store.secrets.peek(guarded.secretKey);
      expect(await store.secrets.claim(plain.secretKey)).toMatchObject({ status: 'claimed', record: plain.record });
      expect(await store.secrets.claim(guarded.secretKey)).toMatchObject({ status: 'protected', failedAttempts: 0 });
      expect(await store.secrets.peek(plain.secretKey)).toBeNull();
    });
  });

  describe.each(['beside', 'apart'] as const)('claim settles the receipt (receipt stored %s the secret)', (placement) => {
    // 'beside': the metadata key the store picks for a new secret (same Cluster slot, settled inside the claim).
    // 'apart': any other metadata key, as records stored by earlier versions have (settled by a second step).
    const SETTLE_AT = T0 + 5;
    const toReceived: Settle = { to: 'received', from: OVERRIDABLE_STATES, at: SETTLE_AT };

    async function createPair(opts: { protected?: boolean; state?: State } = {}) {
      const secretKey = generateKey();
      const metadataKey = placement === 'beside' ? store.secrets.newMetadataKey(secretKey) : generateKey();
      const sealed = randomBytes(40);
      const record = encodeSecretRecord({ metadataKey, passphraseProtected: opts.protected ?? false, sealed });
      const receipt = receiptFor(secretKey, { metadataKey, state: opts.state ?? 'new', passphraseRequired: opts.protected ?? false });
      await store.secrets.create(secretKey, record, receipt, 100);
      return { secretKey, metadataKey, sealed, receipt };
    }
    const receiptOf = async (metadataKey: string) => (await store.secrets.getReceipt(metadataKey))?.receipt;

    it("peek finds the receipt's key in the record's head", async () => {
      const { secretKey, metadataKey } = await createPair({ protected: true });
      expect(await store.secrets.peek(secretKey)).toMatchObject({ passphraseProtected: true, metadataKey });
    });

    it('moves the receipt to received in the same claim, and says what it was', async () => {
      const { secretKey, metadataKey, sealed } = await createPair({ state: 'viewed' });
      const claim = await store.secrets.claim(secretKey, { settle: toReceived });
      expect(claim).toMatchObject({ status: 'claimed', before: { metadataKey, state: 'viewed', updated: T0 } });
      if (claim.status === 'claimed') expect(decodeSecretRecord(claim.record)).toEqual({ metadataKey, passphraseProtected: false, sealed });
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'received', updated: SETTLE_AT, received: SETTLE_AT });
    });

    it('inspect answers the look and the receipt as they are, and touches neither', async () => {
      const { secretKey, metadataKey, receipt } = await createPair({ protected: true });
      const inspected = await store.secrets.inspect(secretKey);
      expect(inspected).toMatchObject({ found: { passphraseProtected: true, metadataKey }, receipt });
      expect(await store.secrets.claim(secretKey)).toMatchObject({ status: 'protected', failedAttempts: 0 });
      expect(await receiptOf(metadataKey)).toEqual(receipt);
      expect(await store.secrets.inspect(generateKey())).toBeNull();
    });

    it('answers the receipt as it was before the claim when asked (v2 shows it), for a protected secret too', async () => {
      const plain = await createPair({ state: 'viewed' });
      const claim = await store.secrets.claim(plain.secretKey, { settle: toReceived, withReceipt: true });
      expect(claim).toMatchObject({ status: 'claimed', receipt: plain.receipt });
      const guarded = await createPair({ protected: true });
      expect(await store.secrets.claim(guarded.secretKey, { withReceipt: true })).toMatchObject({ status: 'protected', receipt: guarded.receipt });
      const unasked = await createPair();
      expect(await store.secrets.claim(unasked.secretKey, { settle: toReceived })).not.toHaveProperty('receipt');
    });

    it('leaves a receipt that is not in a state it may move from (burned) as it is', async () => {
      const { secretKey, metadataKey } = await createPair({ state: 'burned' });
      const claim = await store.secrets.claim(secretKey, { settle: toReceived });
      expect(claim).toMatchObject({ status: 'claimed' });
      expect(claim).not.toHaveProperty('before');
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'burned', updated: T0 });
    });

    it("of 50 concurrent claims, one wins and the receipt moves once, to the winner's time", async () => {
      const { secretKey, metadataKey } = await createPair();
      const results = await fifty((s, i) => s.secrets.claim(secretKey, { settle: { ...toReceived, at: SETTLE_AT + i } }));
      const won = results.flatMap((r, i) => (r.status === 'claimed' ? [i] : []));
      expect(won).toHaveLength(1);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'received', received: SETTLE_AT + won[0]! });
    });

    it('restore puts back the record and the receipt as they were', async () => {
      const { secretKey, metadataKey, receipt } = await createPair();
      const claim = await store.secrets.claim(secretKey, { settle: toReceived });
      if (claim.status !== 'claimed') throw new Error(`expected a claim, got ${claim.status}`);
      await store.secrets.restore(secretKey, claim.record, claim.pttl, claim.before, toReceived);
      expect(await receiptOf(metadataKey)).toEqual(receipt);
      expect(await store.secrets.claim(secretKey, { settle: toReceived })).toMatchObject({ status: 'claimed', before: { state: 'new' } });
    });

    it('restore leaves a receipt that moved again since (burned by its owner) as it is', async () => {
      const { secretKey, metadataKey } = await createPair();
      const claim = await store.secrets.claim(secretKey, { settle: toReceived });
      if (claim.status !== 'claimed') throw new Error(`expected a claim, got ${claim.status}`);
      await store.secrets.transition(metadataKey, ['received'], 'burned', SETTLE_AT + 1);
      await store.secrets.restore(secretKey, claim.record, claim.pttl, claim.before, toReceived);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'burned', updated: SETTLE_AT + 1 });
    });

    it("claimIfUnchanged settles a protected secret's receipt when it wins, and not when it loses", async () => {
      const { secretKey, metadataKey } = await createPair({ protected: true });
      const claim = await store.secrets.claim(secretKey, { settle: toReceived });
      if (claim.status !== 'protected') throw new Error(`expected a protected secret, got ${claim.status}`);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'new' });
      const changed = Buffer.concat([claim.record, Buffer.from('x')]);
      expect(await store.secrets.claimIfUnchanged(secretKey, changed, toReceived)).toBe(false);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'new' });
      const burn: Settle = { to: 'burned', from: OVERRIDABLE_STATES, at: SETTLE_AT };
      const results = await fifty((s) => s.secrets.claimIfUnchanged(secretKey, claim.record, burn));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await receiptOf(metadataKey)).toMatchObject({ state: 'burned', updated: SETTLE_AT });
      expect(await store.secrets.claim(secretKey)).toEqual({ status: 'missing' });
    });
  });

  describe('claimIfUnchanged', () => {
    it('wins once for the record as read, then loses', async () => {
      const { secretKey, record } = await create({}, { protected: true });
      expect(await store.secrets.claimIfUnchanged(secretKey, record)).toBe(true);
      expect(await store.secrets.claimIfUnchanged(secretKey, record)).toBe(false);
      expect(await store.secrets.claim(secretKey)).toEqual({ status: 'missing' });
    });

    it('loses, and deletes nothing, when the record changed since it was read', async () => {
      const { secretKey, record } = await create({}, { protected: true });
      expect(await store.secrets.claimIfUnchanged(secretKey, Buffer.concat([record, Buffer.from('x')]))).toBe(false);
      expect(await store.secrets.claim(secretKey)).toMatchObject({ status: 'protected', record });
    });

    it('loses when the secret is gone', async () => {
      expect(await store.secrets.claimIfUnchanged(generateKey(), secretRecord(true))).toBe(false);
    });

    it('clears the failed-attempt count along with the secret', async () => {
      const { secretKey, record } = await create({}, { protected: true });
      await store.secrets.recordFailedAttempt(secretKey, 600);
      expect(await store.secrets.claimIfUnchanged(secretKey, record)).toBe(true);
      // A new secret under the same key starts with a clean count.
      await store.secrets.create(secretKey, record, receiptFor(secretKey), 100);
      expect(await store.secrets.claim(secretKey)).toMatchObject({ status: 'protected', failedAttempts: 0 });
    });

    it('of 50 concurrent conditional claims, exactly one wins', async () => {
      const { secretKey, record } = await create({}, { protected: true });
      const results = await fifty((s) => s.secrets.claimIfUnchanged(secretKey, record));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('restore', () => {
    it('puts a claimed record back with the time it had left', async () => {
      const { secretKey, record } = await create({ ttl: HOUR });
      const claim = await store.secrets.claim(secretKey);
      if (claim.status !== 'claimed') throw new Error(`expected claimed, got ${claim.status}`);
      await store.secrets.restore(secretKey, record, claim.pttl);
      const ttl = await store.secrets.secretTtl(secretKey);
      expect(ttl).toBeGreaterThanOrEqual(HOUR - 2);
      expect(ttl).toBeLessThanOrEqual(HOUR);
      expect(await store.secrets.claim(secretKey)).toMatchObject({ status: 'claimed', record });
    });

    it('does nothing when no time was left', async () => {
      const key = generateKey();
      await store.secrets.restore(key, secretRecord(), 0);
      await store.secrets.restore(key, secretRecord(), -2);
      expect(await store.secrets.claim(key)).toEqual({ status: 'missing' });
    });

    it('never overwrites a secret that is there', async () => {
      const { secretKey, record } = await create();
      await store.secrets.restore(secretKey, secretRecord(), 5000);
      expect(await store.secrets.claim(secretKey)).toMatchObject({ status: 'claimed', record });
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
      const claim = await store.secrets.claim(secretKey);
      expect(claim).toMatchObject({ status: 'protected', failedAttempts: 3 });
      if (claim.status === 'protected') expect(claim.attemptsTtl).toBeGreaterThan(590);
      expect(await store.secrets.claim(other.secretKey)).toMatchObject({ failedAttempts: 0 });
    });

    it('keeps the window of the first attempt: later attempts neither extend nor reset it', async () => {
      const { secretKey } = await create({}, { protected: true });
      await store.secrets.recordFailedAttempt(secretKey, 10);
      const later = await store.secrets.recordFailedAttempt(secretKey, 600);
      expect(later).toEqual({ attempts: 2, ttl: expect.any(Number) });
      expect(later.ttl).toBeLessThanOrEqual(10);
    });
  });

  describe.each(['beside', 'apart'] as const)('viewReceipt (receipt stored %s the secret)', (placement) => {
    async function createPair(over: Partial<ReceiptRecord> = {}) {
      const secretKey = generateKey();
      const metadataKey = placement === 'beside' ? store.secrets.newMetadataKey(secretKey) : generateKey();
      const record = encodeSecretRecord({ metadataKey, passphraseProtected: false, sealed: randomBytes(40) });
      const receipt = receiptFor(secretKey, { metadataKey, ...over });
      await store.secrets.create(secretKey, record, receipt, 100);
      return { secretKey, metadataKey, receipt };
    }

    it("answers the receipt as it was, with its time left and its secret's, and a first view moves new to viewed", async () => {
      const { metadataKey, receipt } = await createPair({ ttl: HOUR });
      const first = await store.secrets.viewReceipt(metadataKey, undefined);
      expect(first?.receipt).toEqual(receipt);
      expect(first?.metadataTtl).toBeGreaterThanOrEqual(2 * HOUR - 1);
      expect(first?.secretTtl).toBeGreaterThanOrEqual(HOUR - 1);
      expect(first?.secretTtl).toBeLessThanOrEqual(HOUR);
      const second = await store.secrets.viewReceipt(metadataKey, undefined);
      expect(second?.receipt).toEqual({ ...receipt, state: 'viewed' });
    });

    it("only the owner's view moves it when a viewer is named; an anonymous secret's moves for anyone", async () => {
      const owned = await createPair({ custid: 'alice@example.com' });
      await store.secrets.viewReceipt(owned.metadataKey, 'bob@example.com');
      expect((await store.secrets.getReceipt(owned.metadataKey))?.receipt.state).toBe('new');
      await store.secrets.viewReceipt(owned.metadataKey, 'alice@example.com');
      expect((await store.secrets.getReceipt(owned.metadataKey))?.receipt.state).toBe('viewed');
      const anonymous = await createPair();
      await store.secrets.viewReceipt(anonymous.metadataKey, 'bob@example.com');
      expect((await store.secrets.getReceipt(anonymous.metadataKey))?.receipt.state).toBe('viewed');
    });

    it('reports a secret that is gone as null, and does not look for one once the receipt is settled', async () => {
      const { secretKey, metadataKey } = await createPair({ state: 'viewed' });
      await store.secrets.claim(secretKey);
      expect(await store.secrets.viewReceipt(metadataKey, undefined)).toMatchObject({ receipt: { state: 'viewed' }, secretTtl: null });
      const burned = await createPair({ state: 'burned' });
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
        expect(await store.secrets.secretTtl(secretKey)).toBeNull();
        expect(await store.secrets.peek(secretKey)).toBeNull();
        expect(await store.secrets.claim(secretKey)).toEqual({ status: 'missing' });
        expect(await store.secrets.claim(windowed.secretKey)).toMatchObject({ status: 'protected', failedAttempts: 0 });
      });
      expect(await store.secrets.getReceipt(metadataKey)).not.toBeNull();
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
