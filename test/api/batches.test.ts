// Batches cost what they do (docs/api-v2.md, "Batches"; contract tests 110–111) through a real socket on both
// stores: `POST /secret/status` (v2, v3) and v3's `/guest/receipts` take at most 25 identifiers, and each identifier
// costs one unit of the caller's budget, all or nothing. Clients are told apart by X-Forwarded-For from a trusted
// loopback proxy, so each scenario has a budget of its own.
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/app.js';
import { conceal, ok, send, serve, V2, V3, type Made, type Reply } from './socket.js';

const TOO_MANY = { error: 'Too many identifiers (max 25)', error_type: 'FormError', field: 'identifiers' };
const BUDGET = 30; // RATE_LIMIT_REVEAL and RATE_LIMIT_RECEIPT

describe.each(STORE_KINDS)('batches (%s store)', (kind) => {
  const s = serve(kind, { RATE_LIMIT_REVEAL: String(BUDGET), RATE_LIMIT_RECEIPT: String(BUDGET), TRUST_PROXY: '127.0.0.1' });
  let made: Made[] = [];
  let client = 0;
  /** A client nobody has used yet: its own budget. */
  const freshClient = () => `198.51.100.${++client}`;
  const batch = (path: string, identifiers: string | string[], from: string): Promise<Reply> =>
    send(s, 'POST', path, { body: JSON.stringify({ identifiers }), contentType: 'application/json', headers: { 'x-forwarded-for': from } });
  const secretKeys = (n: number) => made.slice(0, n).map((m) => m.secretKey);
  const receiptKeys = (n: number, from = 0) => made.slice(from, from + n).map((m) => m.receiptKey);
  const expectLimited = (reply: Reply) => {
    expect(reply.status, reply.text).toBe(429);
    expect(reply.body).toMatchObject({ error_type: 'LimitExceeded', retry_after: expect.any(Number) });
    expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
  };

  beforeAll(async () => {
    made = [];
    for (let i = 0; i < 35; i++) made.push(await conceal(s, `${V3}/guest`, { secret: `s${i}`, ttl: 3600 }));
  });

  it.each([`${V2}/secret/status`, `${V3}/secret/status`])('110 %s: 25 identifiers as CSV or array → 200; 26 → 422', async (path) => {
    for (const ids of [secretKeys(25).join(','), secretKeys(25)]) {
      expect(ok(await batch(path, ids, freshClient())).count).toBe(25);
    }
    const refused = await batch(path, [...secretKeys(25), 'x'.repeat(31)], freshClient());
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual(TOO_MANY);
    // Entries are counted after splitting, empty ones left out.
    expect(ok(await batch(path, `${secretKeys(25).join(',')},,`, freshClient())).count).toBe(25);
  });

  it('110 /api/v3/guest/receipts: 26 → the same 422 body', async () => {
    const refused = await batch(`${V3}/guest/receipts`, [...receiptKeys(25), 'x'.repeat(31)], freshClient());
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual(TOO_MANY);
  });

  it('111 each identifier costs one reveal unit: 25 then 10 → 429 (costing one), then the 4 left still fit', async () => {
    const me = freshClient();
    expect(ok(await batch(`${V2}/secret/status`, secretKeys(25), me)).count).toBe(25);
    expectLimited(await batch(`${V2}/secret/status`, secretKeys(10), me));
    expect(ok(await batch(`${V3}/secret/status`, secretKeys(4), me)).count).toBe(4);
    expectLimited(await batch(`${V2}/secret/status`, secretKeys(1), me));
  });

  it('111 25 single status calls, then a batch of 10 → 429', async () => {
    const me = freshClient();
    for (const key of secretKeys(25)) {
      expect((await send(s, 'GET', `${V2}/secret/${key}/status`, { headers: { 'x-forwarded-for': me } })).status).toBe(200);
    }
    expectLimited(await batch(`${V2}/secret/status`, secretKeys(10), me));
  });

  it('111 /guest/receipts against the receipt budget: a refused batch looks nothing up', async () => {
    const me = freshClient();
    expect(ok(await batch(`${V3}/guest/receipts`, receiptKeys(25), me)).count).toBe(25);
    const untouched = receiptKeys(10, 25);
    expectLimited(await batch(`${V3}/guest/receipts`, untouched, me));
    // A looked-up receipt moves from new to viewed; these were not looked up.
    for (const key of untouched) expect((await s.store.secrets.getReceipt(key))?.receipt.state).toBe('new');
  });

  it('an empty batch or one over the cap costs one unit, like any request', async () => {
    const me = freshClient();
    expect((await batch(`${V2}/secret/status`, [...secretKeys(25), 'x'.repeat(31)], me)).status).toBe(422);
    expect(ok(await batch(`${V2}/secret/status`, '', me)).count).toBe(0);
    expect(ok(await batch(`${V2}/secret/status`, secretKeys(25), me)).count).toBe(25);
    expect(ok(await batch(`${V2}/secret/status`, secretKeys(3), me)).count).toBe(3);
    expectLimited(await batch(`${V2}/secret/status`, secretKeys(1), me));
  });
});
