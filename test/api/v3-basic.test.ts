// The authenticated v3 routes served to Basic credentials (docs/contracts/ots-v2-api.md §11.2; contract tests 95–98)
// through a real socket on both stores: every v2 username form, v3's shape (no `custid`, recipients as a list, no
// `record.metadata`, native types), v2's answers, 401 in v3's shape for anything but valid credentials with nothing
// stored, and the status routes that ignore credentials. The macOS app's replay (test 99) is test/e2e/macos-app.test.ts.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB, STORE_KINDS } from '../support/app.js';
import {
  byAccountId,
  conceal,
  expectError,
  expectNativeTypes,
  get,
  NOT_AUTHORIZED,
  ok,
  patch,
  post,
  serve,
  V2,
  V3,
  type As,
  type Body,
} from './socket.js';

/** Every receipt object anywhere in a v3 body: no `custid`, `recipients` a list or null. */
function expectV3Receipts(body: Body, path = '$'): void {
  if (Array.isArray(body)) body.forEach((v, i) => expectV3Receipts(v, `${path}[${i}]`));
  else if (body && typeof body === 'object') {
    if ('recipients' in body) {
      expect(body, path).not.toHaveProperty('custid');
      expect(body.recipients === null || Array.isArray(body.recipients), `${path}.recipients`).toBe(true);
    }
    for (const [k, v] of Object.entries(body)) expectV3Receipts(v, `${path}.${k}`);
  }
}

describe.each(STORE_KINDS)('v3 with Basic credentials (%s store)', (kind) => {
  const s = serve(kind);
  const recentCount = async (as: As = ALICE) => ok(await get(s, `${V3}/receipt/recent`, as)).count as number;

  it('95 conceal with the email in upper case, the customer id ur… and the organization id on… → 200 in v3 form', async () => {
    const users: As[] = [{ user: ALICE.email.toUpperCase(), token: ALICE.token }, await byAccountId(s, 'customerId'), await byAccountId(s, 'organizationId')];
    for (const as of users) {
      const body = ok(await post(s, `${V3}/secret/conceal`, { secret: { secret: 'p', ttl: 3600 } }, as));
      const { record } = body;
      for (const key of [record.receipt.identifier, record.secret.identifier, record.secret.key]) expect(typeof key).toBe('string');
      expect(record.secret.key).toBe(record.secret.identifier);
      expect(record.share_domain).toBeNull();
      expect(record).not.toHaveProperty('metadata');
      expect(record.receipt).not.toHaveProperty('custid');
      expect(record.receipt.owner_id).toEqual(expect.any(String));
      expect(record.receipt.recipients).toBeNull();
      expect(record.receipt.secret_ttl).toBe(3600);
      expect(record.secret.has_passphrase).toBe(false);
      expectNativeTypes(body);
    }
  });

  it('96 no credentials, Basic Og==, a wrong token, Bearer → 401 Unauthorized; nothing stored', async () => {
    const before = await recentCount();
    const callers: (As | undefined)[] = [undefined, { header: 'Basic Og==' }, { email: ALICE.email, token: 'not-the-token' }, { header: 'Bearer x' }];
    for (const as of callers) {
      for (const route of ['conceal', 'generate']) {
        expectError(await post(s, `${V3}/secret/${route}`, { secret: { secret: 'never' } }, as), 401, NOT_AUTHORIZED);
      }
      expectError(await get(s, `${V3}/receipt/recent`, as), 401, NOT_AUTHORIZED);
    }
    expect(await recentCount()).toBe(before);
  });

  it("97 generate, show, reveal, receipt, memo, burn and recent → v2's answers in v3's form; recent is the caller's own", async () => {
    const made = ok(await post(s, `${V3}/secret/generate`, { secret: { length: 16 } }, ALICE));
    expect(made.record.secret.secret_value).toHaveLength(16);
    expect(made.details.kind).toBe('generate');
    const secretKey = made.record.secret.identifier as string;
    const receiptKey = made.record.receipt.identifier as string;

    const shown = ok(await get(s, `${V3}/secret/${secretKey}`, ALICE));
    expect(shown.details).toMatchObject({ show_secret: false, is_owner: true });
    const revealed = ok(await post(s, `${V3}/secret/${secretKey}/reveal`, { continue: true }, ALICE));
    expect(revealed.record.secret_value).toBe(made.record.secret.secret_value);

    const receipt = ok(await get(s, `${V3}/receipt/${receiptKey}`, ALICE));
    expect(receipt.record.state).toBe(ok(await get(s, `${V2}/receipt/${receiptKey}`, ALICE)).record.state);
    expect(ok(await patch(s, `${V3}/receipt/${receiptKey}`, { memo: 'hi' }, ALICE)).record.memo).toBe('hi');
    const notOwner = await patch(s, `${V2}/receipt/${receiptKey}`, { memo: 'theirs' }, BOB);
    expectError(await patch(s, `${V3}/receipt/${receiptKey}`, { memo: 'theirs' }, BOB), notOwner.status, notOwner.body);

    const mailed = await conceal(s, V3, { secret: 'to al', recipient: 'alfred@example.org' }, ALICE);
    expect(mailed.body.record.receipt.recipients).toEqual([expect.stringMatching(/^al\*+@/)]);
    const burned = ok(await post(s, `${V3}/receipt/${mailed.receiptKey}/burn`, { continue: true }, ALICE));
    expect(burned).toMatchObject({ success: true, record: { state: 'burned' } });

    await conceal(s, V3, { secret: "bob's" }, BOB);
    const recent = ok(await get(s, `${V3}/receipt/recent`, ALICE));
    expect(recent.custid).toBe(ALICE.email);
    const keys = (recent.records as Body[]).map((r) => r.identifier);
    expect(keys).toEqual(expect.arrayContaining([receiptKey, mailed.receiptKey]));
    expect((recent.records as Body[]).every((r) => r.owner_id === recent.records[0].owner_id)).toBe(true);
    for (const body of [made, shown, revealed, receipt, burned, recent, mailed.body]) {
      expectV3Receipts(body);
      expectNativeTypes(body);
    }
  });

  it('98 the status routes ignore credentials, even wrong ones', async () => {
    const m = await conceal(s, V3, { secret: 'status' }, ALICE);
    const wrong = { email: ALICE.email, token: 'not-the-token' };
    expect(ok(await get(s, `${V3}/secret/${m.secretKey}/status`, wrong)).record.state).toBe('new');
    expect(ok(await post(s, `${V3}/secret/status`, { identifiers: m.secretKey }, wrong)).count).toBe(1);
  });
});
