// A receipt outlives its secret (contract §3.2): when the secret is gone but the receipt still says new/viewed, the
// receipt reports `expired` (its time ran out) or `orphaned` (anything else, e.g. an operator or a crash removed
// it). Remaining TTLs really count down, real TTLs really expire, and receipts survive a server restart.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MemoryStore } from '../../../src/store/memory-store.js';
import { ALICE, makeApp, STORE_KINDS, type StoreKind, type TestApp } from '../../support/app.js';
import { makePrefixedRedisStore } from '../../support/redis-inspect.js';
import { burn, expectError, get, intBetween, ok, postForm, reveal, share, type Receipt } from '../wire.js';

interface LifecycleApp {
  t: TestApp;
  /** Removes the secret from the store behind the app's back, as an operator or a crash between steps would. */
  deleteSecret(secretKey: string): Promise<void>;
}

async function lifecycleApp(kind: StoreKind, now?: () => number, env: Record<string, string> = {}): Promise<LifecycleApp> {
  if (kind === 'redis') {
    const { store, keys } = await makePrefixedRedisStore();
    const t = await makeApp('redis', env, { store, now });
    return { t, deleteSecret: async (key) => expect(await store.redis.del(keys.secret(key))).toBe(1) };
  }
  const t = await makeApp('memory', env, { now });
  const secrets = (t.store as MemoryStore).secrets;
  return { t, deleteSecret: async (key) => expect(secrets.secretMap.delete(key)).toBe(true) };
}

const viewReceipt = async (t: TestApp, metadataKey: string) => ok<Receipt>(await postForm(t, `/api/v1/private/${metadataKey}`));

/** The shape of a receipt whose secret is gone without being read (§3.1). */
function expectGone(receipt: Receipt, state: 'expired' | 'orphaned', metadataKey: string, ttl: number): void {
  expect(receipt).toMatchObject({ state, metadata_key: metadataKey, secret_key: '', secret_ttl: null, ttl });
  expect(receipt).not.toHaveProperty('passphrase_required');
  expect(receipt).not.toHaveProperty('received');
  expect(Number.isInteger(receipt.updated)).toBe(true);
}

describe.each(STORE_KINDS)('lazy expired and orphaned receipts (%s store)', (kind) => {
  const TTL = 3600;
  let clockMs = Date.now();
  let app: LifecycleApp;
  let t: TestApp;
  beforeAll(async () => {
    app = await lifecycleApp(kind, () => clockMs);
    t = app.t;
  });
  afterAll(() => t.close());

  it('a secret removed before its time leaves a new receipt orphaned', async () => {
    const created = await share(t, { secret: `orphan ${randomUUID()}`, passphrase: 'pass', ttl: String(TTL) });
    await app.deleteSecret(created.secret_key!);

    expectGone(await viewReceipt(t, created.metadata_key), 'orphaned', created.metadata_key, TTL);
    // The state is stored, not guessed again on each view.
    expectGone(await viewReceipt(t, created.metadata_key), 'orphaned', created.metadata_key, TTL);
    expectError(await reveal(t, created.secret_key!, { passphrase: 'pass' }), 'Unknown secret', 404, {
      secret_key: created.secret_key!,
    });
    expectError(await burn(t, created.metadata_key, { passphrase: 'pass' }), 'Unknown secret', 404, {
      secret_key: created.metadata_key,
    });
  });

  it('a generated secret (receipt already viewed) removed early is orphaned too', async () => {
    const generated = ok<Receipt>(await postForm(t, '/api/v1/generate', { ttl: String(TTL) }));
    await app.deleteSecret(generated.secret_key!);
    expectGone(await viewReceipt(t, generated.metadata_key), 'orphaned', generated.metadata_key, TTL);
  });

  it('a secret gone once created + ttl has passed leaves the receipt expired', async () => {
    const created = await share(t, { secret: `expire ${randomUUID()}`, passphrase: 'pass', ttl: String(TTL) });
    expect((await viewReceipt(t, created.metadata_key)).state).toBe('new');
    await app.deleteSecret(created.secret_key!);
    clockMs += TTL * 1000;

    const expired = await viewReceipt(t, created.metadata_key);
    expectGone(expired, 'expired', created.metadata_key, TTL);
    expect(expired.updated).toBe(Math.floor(clockMs / 1000));
    expectGone(await viewReceipt(t, created.metadata_key), 'expired', created.metadata_key, TTL);
  });

  it('one second short of created + ttl, a vanished secret is still orphaned, not expired', async () => {
    const created = await share(t, { secret: `early ${randomUUID()}`, ttl: String(TTL) });
    await app.deleteSecret(created.secret_key!);
    clockMs += (TTL - 1) * 1000;
    expectGone(await viewReceipt(t, created.metadata_key), 'orphaned', created.metadata_key, TTL);
  });
});

describe('the memory store clock', () => {
  let clockMs = Date.now();
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('memory', {}, { now: () => clockMs });
  });
  afterAll(() => t.close());

  it('metadata_ttl and secret_ttl really count down, in whole seconds rounded down', async () => {
    const created = await share(t, { secret: 'countdown', ttl: '3600' });
    expect(created).toMatchObject({ ttl: 3600, secret_ttl: 3600, metadata_ttl: 7200 });
    clockMs += 100_000;
    expect(await viewReceipt(t, created.metadata_key)).toMatchObject({ ttl: 3600, secret_ttl: 3500, metadata_ttl: 7100 });
    clockMs += 500;
    expect(await viewReceipt(t, created.metadata_key)).toMatchObject({ ttl: 3600, secret_ttl: 3499, metadata_ttl: 7099 });
  });

  it("the secret's own TTL running out on the store's clock makes the receipt expired", async () => {
    const created = await share(t, { secret: 'runs out', ttl: '600' });
    clockMs += 600_000;
    const expired = await viewReceipt(t, created.metadata_key);
    expectGone(expired, 'expired', created.metadata_key, 600);
    expect(expired.metadata_ttl).toBe(600);
    expectError(await reveal(t, created.secret_key!), 'Unknown secret', 404, { secret_key: created.secret_key! });
    // The receipt lives 2 × ttl, then it is gone too.
    clockMs += 600_000;
    expectError(await postForm(t, `/api/v1/private/${created.metadata_key}`), 'Unknown secret', 404, {
      secret_key: created.metadata_key,
    });
  });
});

describe('remaining TTLs on Redis count down in real time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('redis');
  });
  afterAll(() => t.close());

  it('metadata_ttl drops below 2 × ttl and secret_ttl below ttl', async () => {
    const created = await share(t, { secret: 'countdown', ttl: '3600' });
    expect(created).toMatchObject({ secret_ttl: 3600, metadata_ttl: 7200 });
    await vi.waitFor(
      async () => {
        const receipt = await viewReceipt(t, created.metadata_key);
        expect(receipt).toMatchObject({ ttl: 3600, secret_ttl: intBetween(3590, 3599), metadata_ttl: intBetween(7190, 7199) });
      },
      { timeout: 5000, interval: 100 },
    );
  });
});

describe.each(STORE_KINDS)('real expiry with TTL_MIN=1 (%s store, real time)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { TTL_MIN: '1' });
  });
  afterAll(() => t.close());

  it('a 2 s secret expires on its own; its receipt says expired, then goes away at 4 s', async () => {
    const created = await share(t, { secret: 'short-lived', ttl: '2' });
    expect(created).toMatchObject({ ttl: 2, secret_ttl: 2, metadata_ttl: 4 });
    // Polled: the receipt is expired between 2 s (the secret's TTL) and 4 s (the receipt's).
    const expired = await vi.waitFor(
      async () => {
        const receipt = await viewReceipt(t, created.metadata_key);
        expect(receipt.state).toBe('expired');
        return receipt;
      },
      { timeout: 3500, interval: 50 },
    );
    expectGone(expired, 'expired', created.metadata_key, 2);
    expectError(await reveal(t, created.secret_key!), 'Unknown secret', 404, { secret_key: created.secret_key! });
    await vi.waitFor(
      async () =>
        expectError(await postForm(t, `/api/v1/private/${created.metadata_key}`), 'Unknown secret', 404, {
          secret_key: created.metadata_key,
        }),
      { timeout: 4000, interval: 100 },
    );
  });
});

describe('receipts survive a restart (redis store)', () => {
  it('a new app on the same Redis keeps received receipts, unread secrets and recent lists', async () => {
    const before = await makePrefixedRedisStore();
    const first = await makeApp('redis', {}, { store: before.store });
    const read = await share(first, { secret: 'read before restart' });
    const unread = await share(first, { secret: 'read after restart', passphrase: 'pass' });
    const mine = await share(first, { secret: 'alice', ttl: '3600' }, ALICE);
    expect(ok(await reveal(first, read.secret_key!)).value).toBe('read before restart');
    await first.close();

    const after = await makePrefixedRedisStore(before.prefix);
    const second = await makeApp('redis', {}, { store: after.store });
    try {
      const received = await viewReceipt(second, read.metadata_key);
      expect(received).toMatchObject({ state: 'received', metadata_key: read.metadata_key });
      expect(received).not.toHaveProperty('secret_key');
      expect(Number.isInteger(received.received)).toBe(true);
      expectError(await reveal(second, read.secret_key!), 'Unknown secret', 404, { secret_key: read.secret_key! });

      expect(ok(await reveal(second, unread.secret_key!, { passphrase: 'pass' })).value).toBe('read after restart');
      expect((await viewReceipt(second, unread.metadata_key)).state).toBe('received');

      const recent = ok<Receipt[]>(await get(second, '/api/v1/private/recent', ALICE));
      expect(recent.map((r) => r.metadata_key)).toEqual([mine.metadata_key]);
    } finally {
      await second.close();
    }
  });
});
