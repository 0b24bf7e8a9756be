// One store under three APIs (the v2 contract of docs/api-v2.md, §0, §4, §8 items 55 and 65): a secret made through any
// version is readable, revealable and burnable through the others with the same keys, the states map as §4 says
// (v1 new/viewed = v2 new, received = revealed), and of reveals sent through several versions at once exactly one
// succeeds. Through a real socket on both stores.
import { describe, expect, it } from 'vitest';
import type { MemoryStore } from '../../src/store/memory-store.js';
import { ALICE, STORE_KINDS } from '../support/app.js';
import { makePrefixedRedisStore } from '../support/redis-inspect.js';
import {
  byAccountId,
  conceal,
  expectError,
  generate,
  get,
  serve,
  ok,
  post,
  postV1,
  revealV2,
  shareV1,
  UNKNOWN_RECEIPT,
  UNKNOWN_SECRET,
  V1,
  V2,
  V3,
  type Reply,
} from './socket.js';

const MAX_ATTEMPTS = 3;

/** A v1 refusal: HTTP 404 (compat mode), `{"message": ...}` plus extras. */
function expectV1Error(reply: Reply, message: string, extra: Record<string, string> = {}): void {
  expect(reply.status, reply.text).toBe(404);
  expect(reply.body).toEqual({ message, ...extra });
}

describe.each(STORE_KINDS)('v1, v2 and v3 on one store (%s store)', (kind) => {
  const s = serve(kind, { PASSPHRASE_MAX_ATTEMPTS: String(MAX_ATTEMPTS) });

  const v1Receipt = async (key: string, as?: typeof ALICE) => ok(await get(s, `${V1}/private/${key}`, as));
  const v2Receipt = async (key: string, as?: typeof ALICE) => ok(await get(s, `${V2}/receipt/${key}`, as)).record;
  const revealV1 = (key: string, form: Record<string, string> = {}) => postV1(s, `/secret/${key}`, form);

  it('made in v1 → its receipt in v2 → revealed in v3 guest; every version then agrees it was read', async () => {
    const made = await shareV1(s, { secret: 'from v1', ttl: '3600' });
    expect(await v2Receipt(made.receiptKey)).toMatchObject({
      identifier: made.receiptKey,
      secret_identifier: made.secretKey,
      state: 'new',
      custid: null,
      owner_id: null,
      secret_ttl: 3600,
      has_passphrase: false,
      kind: 'conceal',
    });
    expect(ok(await get(s, `${V3}/guest/receipt/${made.receiptKey}`)).record).toMatchObject({ secret_identifier: made.secretKey, recipients: null });
    expect(ok(await revealV2(s, `${V3}/guest`, made.secretKey)).record.secret_value).toBe('from v1');
    expect(await v2Receipt(made.receiptKey)).toMatchObject({ state: 'revealed', is_revealed: true, secret_state: null });
    expect((await v1Receipt(made.receiptKey)).state).toBe('received');
    expectV1Error(await revealV1(made.secretKey), 'Unknown secret', { secret_key: made.secretKey });
  });

  it('made in v2 → revealed by v1 POST /secret/:key; v2 and v3 then refuse it', async () => {
    const made = await conceal(s, V2, { secret: 'from v2\n', ttl: 3600 });
    expect(ok(await revealV1(made.secretKey))).toEqual({
      value: 'from v2\n',
      secret_key: made.secretKey,
      share_domain: 'https://secrets.example.com',
    });
    expectError(await revealV2(s, V2, made.secretKey), 404, UNKNOWN_SECRET);
    expectError(await revealV2(s, `${V3}/guest`, made.secretKey), 404, UNKNOWN_SECRET);
    expect(await v2Receipt(made.receiptKey)).toMatchObject({ state: 'revealed', is_received: true });
    expect(await v1Receipt(made.receiptKey)).toMatchObject({ state: 'received', metadata_key: made.receiptKey, ttl: 3600 });
  });

  it('made in v3 guest → burned via v1; v2 and v3 show it burned', async () => {
    const made = await conceal(s, `${V3}/guest`, { secret: 'from v3' });
    const burned = ok(await postV1(s, `/private/${made.receiptKey}/burn`));
    expect(burned.state).toMatchObject({ state: 'burned', secret_key: '' });
    expect(burned.secret_shortkey).toBe(made.secretKey.slice(0, 6));
    expect(await v2Receipt(made.receiptKey)).toMatchObject({ state: 'burned', is_burned: true, is_destroyed: true });
    expect(ok(await get(s, `${V3}/guest/receipt/${made.receiptKey}`)).record.state).toBe('burned');
    expectError(await revealV2(s, `${V3}/guest`, made.secretKey), 404, UNKNOWN_SECRET);
    expectV1Error(await revealV1(made.secretKey), 'Unknown secret', { secret_key: made.secretKey });
  });

  it('made in v1 → burned via v2; v1 says burned', async () => {
    const made = await shareV1(s, { secret: 'v1 then v2 burn' });
    expect(ok(await post(s, `${V2}/receipt/${made.receiptKey}/burn`, { continue: true })).record.state).toBe('burned');
    expect((await v1Receipt(made.receiptKey)).state).toBe('burned');
  });

  it('state names (§4): a v2 receipt view says new and marks it seen, so v1 then says viewed', async () => {
    const made = await shareV1(s, { secret: 'states' });
    expect((await v2Receipt(made.receiptKey)).state).toBe('new');
    expect((await v1Receipt(made.receiptKey)).state).toBe('viewed');
    expect((await v2Receipt(made.receiptKey)).state).toBe('new'); // v1 viewed is v2 new
    expect(await v2Receipt(made.receiptKey)).toMatchObject({ is_previewed: false, is_viewed: false, viewed: null });
  });

  it('state names (§4): v1 viewed (after a v1 view, or v1 generate) is v2 new', async () => {
    const shared = await shareV1(s, { secret: 'seen in v1' });
    expect((await v1Receipt(shared.receiptKey)).state).toBe('new');
    expect((await v1Receipt(shared.receiptKey)).state).toBe('viewed');
    expect((await v2Receipt(shared.receiptKey)).state).toBe('new');
    const generated = ok(await postV1(s, '/generate'));
    expect((await v2Receipt(generated.metadata_key)).state).toBe('new');
    expect((await v1Receipt(generated.metadata_key)).state).toBe('viewed');
    expect(ok(await revealV2(s, V2, generated.secret_key)).record.secret_value).toBe(generated.value);
  });

  it('a v2 generated value reveals in v1; v1 counts the receipt as viewed (the creator saw the value), v2 as new', async () => {
    const made = await generate(s, V2);
    expect((await v1Receipt(made.receiptKey)).state).toBe('viewed');
    expect((await v2Receipt(made.receiptKey)).state).toBe('new');
    expect(ok(await revealV1(made.secretKey)).value).toBe(made.body.record.secret.secret_value);
  });

  it('a v1 recipient shows obscured in v2 and v3; a v2 recipient in v1', async () => {
    const fromV1 = await shareV1(s, { secret: 'mail', recipient: 'a@b.example' }, ALICE);
    expect(await v2Receipt(fromV1.receiptKey)).toMatchObject({ recipients: 'a*****@b*****.example', show_recipients: true });
    expect(ok(await get(s, `${V3}/guest/receipt/${fromV1.receiptKey}`)).record.recipients).toEqual(['a*****@b*****.example']);
    const fromV2 = await conceal(s, V2, { secret: 'mail', recipient: 'a@b.example' }, ALICE);
    expect((await v1Receipt(fromV2.receiptKey)).recipient).toEqual(['a*****@b*****.example']);
  });

  it('a v2 passphrase secret: v1 burn needs the passphrase too', async () => {
    const made = await conceal(s, V2, { secret: 'p', passphrase: 'right one' });
    expect((await v1Receipt(made.receiptKey)).passphrase_required).toBe(true);
    expectV1Error(await postV1(s, `/private/${made.receiptKey}/burn`, { passphrase: 'wrong' }), 'Incorrect passphrase');
    expect(ok(await postV1(s, `/private/${made.receiptKey}/burn`, { passphrase: 'right one' })).state.state).toBe('burned');
    expect((await v2Receipt(made.receiptKey)).state).toBe('burned');
  });

  it('an account secret: v1 and v2 agree on the owner and both list it as recent', async () => {
    const fromV1 = await shareV1(s, { secret: 'alice v1' }, ALICE);
    const fromV2 = await conceal(s, V2, { secret: 'alice v2' }, ALICE);
    expect((await v2Receipt(fromV1.receiptKey)).custid).toBe(ALICE.email);
    expect((await v1Receipt(fromV2.receiptKey)).custid).toBe(ALICE.email);
    const v1Recent = ok(await get(s, `${V1}/private/recent`, ALICE)).map((r: { metadata_key: string }) => r.metadata_key);
    const v2Recent = ok(await get(s, `${V2}/receipt/recent`, await byAccountId(s))).records.map((r: { identifier: string }) => r.identifier);
    for (const list of [v1Recent, v2Recent]) expect(list).toEqual(expect.arrayContaining([fromV1.receiptKey, fromV2.receiptKey]));
  });

  it('a v1 passphrase secret reveals in v2 with the passphrase; wrong guesses count across versions', async () => {
    const made = await shareV1(s, { secret: 'guarded', passphrase: 'right one' });
    expect((await v2Receipt(made.receiptKey)).has_passphrase).toBe(true);
    expectV1Error(await revealV1(made.secretKey, { passphrase: 'v1 guess' }), 'Unknown secret', { secret_key: made.secretKey });
    expectError(await revealV2(s, V2, made.secretKey, { passphrase: 'v2 guess' }), 422, {
      error: 'Incorrect passphrase',
      error_type: 'FormError',
    });
    expect(ok(await revealV2(s, V2, made.secretKey, { passphrase: 'right one' })).record.secret_value).toBe('guarded');

    const limited = await shareV1(s, { secret: 'guarded', passphrase: 'right one' });
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const r = i % 2 ? await revealV1(limited.secretKey, { passphrase: `g${i}` }) : await revealV2(s, V2, limited.secretKey, { passphrase: `g${i}` });
      expect([404, 422]).toContain(r.status);
    }
    expect((await revealV2(s, `${V3}/guest`, limited.secretKey, { passphrase: 'right one' })).status).toBe(429);
    expectV1Error(await revealV1(limited.secretKey, { passphrase: 'right one' }), 'Rate limit exceeded. Please try again later.');
  });

  it('revealed through v1, v2, v2 guest and v3 guest at once: exactly one gets the value', async () => {
    for (let round = 0; round < 8; round++) {
      const made = round % 2 ? await shareV1(s, { secret: `race ${round}` }) : await conceal(s, V2, { secret: `race ${round}` });
      const [v1, ...others] = await Promise.all([
        revealV1(made.secretKey),
        revealV2(s, V2, made.secretKey),
        revealV2(s, `${V2}/guest`, made.secretKey),
        revealV2(s, `${V3}/guest`, made.secretKey),
      ]);
      const values = [v1!.status === 200 ? v1!.body.value : undefined, ...others.map((r) => (r.status === 200 ? r.body.record.secret_value : undefined))];
      expect(values.filter((v) => v !== undefined), `round ${round}`).toEqual([`race ${round}`]);
      if (v1!.status !== 200) expectV1Error(v1!, 'Unknown secret', { secret_key: made.secretKey });
      for (const r of others) if (r.status !== 200) expectError(r, 404, UNKNOWN_SECRET);
      expect((await v1Receipt(made.receiptKey)).state).toBe('received');
    }
  });

  it('an unknown key is unknown to every version', async () => {
    const key = 'b'.repeat(31);
    expectV1Error(await get(s, `${V1}/private/${key}`), 'Unknown secret', { secret_key: key });
    expectError(await get(s, `${V2}/receipt/${key}`), 404, UNKNOWN_RECEIPT);
    expectError(await get(s, `${V3}/guest/receipt/${key}`), 404, UNKNOWN_RECEIPT);
  });
});

describe.each(STORE_KINDS)('an orphaned receipt in v1, v2 and v3 (%s store)', (kind) => {
  // The secret is removed behind the app's back (an operator, a crash): the receipt still says new until viewed.
  let deleteRedisKey: ((key: string) => Promise<number>) | undefined;
  const s = serve(kind, {}, async () => {
    if (kind === 'memory') return {};
    const { store, keys } = await makePrefixedRedisStore();
    deleteRedisKey = (key) => store.redis.del(keys.secret(key));
    return { store };
  });
  const deleteSecret = async (key: string) => {
    if (deleteRedisKey) expect(await deleteRedisKey(key)).toBe(1);
    else expect((s.store as MemoryStore).secrets.secretMap.delete(key)).toBe(true);
  };

  it('is orphaned, destroyed, its secret unknown; burn answers success false', async () => {
    const made = await conceal(s, V2, { secret: 'vanishes', ttl: 3600 });
    await deleteSecret(made.secretKey);
    expect(ok(await get(s, `${V2}/receipt/${made.receiptKey}`)).record).toMatchObject({
      state: 'orphaned',
      is_orphaned: true,
      is_destroyed: true,
      is_expired: false,
      secret_state: null,
    });
    expect(ok(await get(s, `${V3}/guest/receipt/${made.receiptKey}`)).record.state).toBe('orphaned');
    expect(ok(await get(s, `${V1}/private/${made.receiptKey}`)).state).toBe('orphaned');
    expectError(await revealV2(s, V2, made.secretKey), 404, UNKNOWN_SECRET);
    const burned = ok(await post(s, `${V2}/receipt/${made.receiptKey}/burn`, { continue: true }));
    expect([burned.success, burned.record.state]).toEqual([false, 'orphaned']);
  });
});
