// The Onetime Secret v2 wire contract (the v2 contract of docs/api-v2.md: §1 routes, §8 items 1–80, as settled by
// §10) through a real socket on both stores. Read top to bottom: the route table (route × caller → status and body),
// then meta and routing, conceal, generate, show and status, reveal, receipt, burn, recent and memo, errors; then the
// apps configured otherwise (owner-only receipts, no anonymous creation, a store that is down, an unexpected failure,
// expiry). The passphrase gate and batches have their own files (passphrase-gate, batches .test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ALICE, BOB, STORE_KINDS, type StoreKind } from '../support/app.js';
import { freePort } from '../support/redis-server.js';
import {
  byAccountId,
  checkTableRow,
  conceal,
  DOUBLE_CHECK_PASSPHRASE,
  expectError,
  expectNativeTypes,
  factsOf,
  freshReceiptView,
  generate,
  get,
  INCORRECT_PASSPHRASE,
  intBetween,
  listenApp,
  NOT_AUTHORIZED,
  NOT_FOUND,
  ok,
  patch,
  post,
  postForm,
  postRaw,
  PUBLIC_URL,
  receiptRecord,
  revealedSecret,
  revealV2,
  secretRecord,
  secretStatus,
  send,
  serve,
  shownSecret,
  STORE_DOWN,
  UNKNOWN_KEY,
  UNKNOWN_RECEIPT,
  UNKNOWN_SECRET,
  until,
  V1,
  V2,
  V3,
  type Made,
  type TableRow,
} from './socket.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const KEY = expect.stringMatching(/^[0-9a-z]{31}$/);
const MAX_ATTEMPTS = 3; // PASSPHRASE_MAX_ATTEMPTS of the main app
const NOT_YOURS_MEMO = { error: 'Not authorized to update this receipt', error_type: 'Unauthorized' };

/**
 * Every v2 route by every kind of caller (socket.ts TABLE_CALLERS): the status and the body (exactly, for an error;
 * the fields that tell callers apart, for a 200). `:secret` and `:receipt` are a secret made anonymously for the row,
 * `:own-receipt` one the account made. The sections below pin each body whole.
 */
const ROUTE_TABLE: TableRow[] = [
  ['GET /api/v2/status', 'anonymous', 200, { success: true, status: 'nominal' }],
  ['GET /api/v2/status', 'account', 200, { success: true, status: 'nominal' }],
  ['GET /api/v2/status', 'wrong credentials', 200, { success: true, status: 'nominal' }],
  ['GET /api/v2/version', 'anonymous', 200, { success: true }],
  ['GET /api/v2/version', 'wrong credentials', 200, { success: true }],
  ['GET /api/v2/supported-locales', 'wrong credentials', 200, { default_locale: 'en' }],
  ['POST /api/v2/secret/conceal', 'anonymous', 200, { record: { receipt: { custid: null } } }, { secret: { secret: 'x' } }],
  ['POST /api/v2/secret/conceal', 'account', 200, { record: { receipt: { custid: ALICE.email } } }, { secret: { secret: 'x' } }],
  ['POST /api/v2/secret/conceal', 'wrong credentials', 401, NOT_AUTHORIZED, { secret: { secret: 'x' } }],
  ['POST /api/v2/secret/generate', 'anonymous', 200, { details: { kind: 'generate' } }, { secret: {} }],
  ['POST /api/v2/secret/generate', 'account', 200, { record: { receipt: { custid: ALICE.email } } }, { secret: {} }],
  ['POST /api/v2/secret/generate', 'wrong credentials', 401, NOT_AUTHORIZED, { secret: {} }],
  ['POST /api/v2/guest/secret/conceal', 'account', 200, { record: { receipt: { custid: null } } }, { secret: { secret: 'x' } }],
  ['POST /api/v2/guest/secret/conceal', 'wrong credentials', 200, { record: { receipt: { custid: null } } }, { secret: { secret: 'x' } }],
  ['GET /api/v2/secret/:secret', 'anonymous', 200, { details: { show_secret: false } }],
  ['GET /api/v2/secret/:secret', 'account', 200, { details: { show_secret: false, is_owner: false } }],
  ['GET /api/v2/secret/:secret', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['POST /api/v2/secret/:secret/reveal', 'anonymous', 200, { record: { secret_value: 'table' } }, { continue: true }],
  ['POST /api/v2/secret/:secret/reveal', 'account', 200, { record: { secret_value: 'table' } }, { continue: true }],
  ['POST /api/v2/secret/:secret/reveal', 'wrong credentials', 401, NOT_AUTHORIZED, { continue: true }],
  ['POST /api/v2/guest/secret/:secret/reveal', 'wrong credentials', 200, { record: { secret_value: 'table' } }, { continue: true }],
  ['GET /api/v2/secret/:secret/status', 'anonymous', 200, { record: { state: 'new' } }],
  ['GET /api/v2/secret/:secret/status', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['POST /api/v2/secret/status', 'anonymous', 200, { count: 1 }, { identifiers: ':secret' }],
  ['POST /api/v2/secret/status', 'account', 200, { count: 1 }, { identifiers: ':secret' }],
  ['POST /api/v2/secret/status', 'wrong credentials', 401, NOT_AUTHORIZED, { identifiers: ':secret' }],
  ['GET /api/v2/receipt/recent', 'anonymous', 401, NOT_AUTHORIZED],
  ['GET /api/v2/receipt/recent', 'account', 200, { custid: ALICE.email }],
  ['GET /api/v2/receipt/recent', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['GET /api/v2/receipt/:receipt', 'anonymous', 200, { record: { state: 'new' } }],
  ['GET /api/v2/receipt/:receipt', 'account', 200, { record: { state: 'new' } }],
  ['GET /api/v2/receipt/:receipt', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['GET /api/v2/guest/receipt/:receipt', 'wrong credentials', 200, { record: { state: 'new' } }],
  ['PATCH /api/v2/receipt/:own-receipt', 'anonymous', 401, NOT_YOURS_MEMO, { memo: 'm' }],
  ['PATCH /api/v2/receipt/:own-receipt', 'account', 200, { record: { memo: 'm' } }, { memo: 'm' }],
  ['PATCH /api/v2/receipt/:own-receipt', 'wrong credentials', 401, NOT_AUTHORIZED, { memo: 'm' }],
  ['PATCH /api/v2/receipt/:receipt', 'account', 401, NOT_YOURS_MEMO, { memo: 'm' }],
  ['POST /api/v2/receipt/:receipt/burn', 'anonymous', 200, { success: true, record: { state: 'burned' } }, { continue: true }],
  ['POST /api/v2/receipt/:receipt/burn', 'account', 200, { success: true, record: { state: 'burned' } }, { continue: true }],
  ['POST /api/v2/receipt/:receipt/burn', 'wrong credentials', 401, NOT_AUTHORIZED, { continue: true }],
  ['POST /api/v2/guest/receipt/:receipt/burn', 'wrong credentials', 200, { success: true }, { continue: true }],
];

describe.each(STORE_KINDS)('v2 route table (%s store)', (kind) => {
  const s = serve(kind);
  it.each(ROUTE_TABLE)('%s by %s → %i', async (...row) => checkTableRow(s, row));
});

describe.each(STORE_KINDS)('v2 wire contract (%s store)', (kind) => {
  // The service's clock, moved only where ordering needs it; Redis TTLs still run on real time.
  let clockMs = Date.now();
  const now = () => Math.floor(clockMs / 1000);

  const s = serve(kind, { PASSPHRASE_MAX_ATTEMPTS: String(MAX_ATTEMPTS), PASSPHRASE_MIN_LENGTH: '4' }, { now: () => clockMs });

  const receiptOf = async (receiptKey: string, as?: Parameters<typeof get>[2]) => ok(await get(s, `${V2}/receipt/${receiptKey}`, as));
  const recentKeys = async (as = ALICE): Promise<string[]> =>
    ok(await get(s, `${V2}/receipt/recent`, as)).records.map((r: { identifier: string }) => r.identifier);
  const facts = (m: Made, ttl: number, extra: Parameters<typeof factsOf>[3] = {}) => factsOf(m, ttl, now(), extra);

  describe('§8 1–7 meta and routing', () => {
    it('GET /status → {success, status: "nominal", locale}', async () => {
      expect(ok(await get(s, `${V2}/status`))).toEqual({ success: true, status: 'nominal', locale: 'en' });
    });

    it('GET /supported-locales → locales strings and default_locale', async () => {
      expect(ok(await get(s, `${V2}/supported-locales`))).toEqual({
        success: true,
        locales: ['en', 'nl'],
        default_locale: 'en',
        locale: 'en',
      });
    });

    it('GET /version → the package version as three strings, public by default', async () => {
      expect(ok(await get(s, `${V2}/version`))).toEqual({ success: true, version: VERSION.split('.'), locale: 'en' });
    });

    it('meta routes ignore credentials, even wrong ones or another scheme', async () => {
      for (const as of [{ email: ALICE.email, token: 'wrong' }, { header: 'Bearer nope' }, { header: 'Basic !!!' }]) {
        expect(ok(await get(s, `${V2}/status`, as)).status).toBe('nominal');
        expect(ok(await get(s, `${V2}/version`, as)).version).toEqual(VERSION.split('.'));
        expect(ok(await get(s, `${V2}/supported-locales`, as)).default_locale).toBe('en');
      }
    });

    it('an unrouted path → 404 NotFound', async () => {
      expectError(await get(s, `${V2}/nope`), 404, NOT_FOUND);
      expectError(await post(s, `${V2}/share`, { secret: 'x' }), 404, NOT_FOUND);
      expectError(await get(s, `${V2}/authcheck`, ALICE), 404, NOT_FOUND);
      expectError(await send(s, 'DELETE', `${V2}/receipt/${UNKNOWN_KEY}`), 404, NOT_FOUND);
      expectError(await send(s, 'PUT', `${V2}/secret/conceal`, { body: '{}', contentType: 'application/json' }), 404, NOT_FOUND);
      expectError(await send(s, 'PATCH', `${V2}/guest/receipt/${UNKNOWN_KEY}`, { body: '{}', contentType: 'application/json' }), 404, NOT_FOUND);
    });

    it('literal segments win: GET /receipt/recent is the list; GET /secret/conceal and /secret/status look up a key', async () => {
      expect(ok(await get(s, `${V2}/receipt/recent`, ALICE)).details.type).toBe('list');
      expectError(await get(s, `${V2}/receipt/recent`), 401, NOT_AUTHORIZED);
      expectError(await get(s, `${V2}/secret/conceal`), 404, UNKNOWN_SECRET);
      expectError(await get(s, `${V2}/secret/status`), 404, UNKNOWN_SECRET);
    });

    it('OPTIONS /secret/conceal and /secret/generate → 204, Allow with POST and OPTIONS, no CORS origin', async () => {
      for (const path of ['/secret/conceal', '/secret/generate']) {
        const res = await send(s, 'OPTIONS', `${V2}${path}`);
        expect(res.status).toBe(204);
        expect(res.headers.get('allow')).toMatch(/POST/);
        expect(res.headers.get('allow')).toMatch(/OPTIONS/);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });

  describe('§8 8–33 conceal', () => {
    it('anonymous → 200: success, record.receipt, record.metadata, record.secret, share_domain null, details', async () => {
      const m = await conceal(s, V2, { secret: 'x', ttl: 3600 });
      const receipt = receiptRecord(facts(m, 3600));
      expect(m.body).toEqual({
        success: true,
        record: { receipt, metadata: receipt, secret: secretRecord(facts(m, 3600)), share_domain: null },
        details: { kind: 'conceal', recipient: [], recipient_safe: [] },
      });
      expect(m.receiptKey).toEqual(KEY);
      expect(m.secretKey).toEqual(KEY);
      expect(m.receiptKey).not.toBe(m.secretKey);
    });

    it('record.metadata deep-equals record.receipt', async () => {
      const { body } = await conceal(s, V2, { secret: 'alias' }, ALICE);
      expect(body.record.metadata).toStrictEqual(body.record.receipt);
    });

    it('the same endpoint under /guest', async () => {
      const m = await conceal(s, `${V2}/guest`, { secret: 'guest', ttl: 3600 });
      const receipt = receiptRecord(facts(m, 3600));
      expect(m.body.record).toEqual({ receipt, metadata: receipt, secret: secretRecord(facts(m, 3600)), share_domain: null });
    });

    it('omitted ttl → 604800 in every TTL field of receipt and secret', async () => {
      const { body } = await conceal(s, V2, { secret: 'default ttl' });
      expect(body.record.receipt).toMatchObject({ secret_ttl: 604800, receipt_ttl: 604800, metadata_ttl: 604800, lifespan: 604800 });
      expect(body.record.secret).toMatchObject({ secret_ttl: 604800, lifespan: 604800 });
    });

    it('ttl: 3600 and "3600" → 3600; 10 → 60; "" and null → default; anonymous 1e9 → 604800; account 1e9 → 2592000', async () => {
      const ttlOf = async (ttl: unknown, as?: typeof ALICE) =>
        (await conceal(s, V2, { secret: 'ttl', ttl }, as)).body.record.secret.secret_ttl;
      expect(await ttlOf(3600)).toBe(3600);
      expect(await ttlOf('3600')).toBe(3600);
      expect(await ttlOf(10)).toBe(60);
      expect(await ttlOf('')).toBe(604800);
      expect(await ttlOf(null)).toBe(604800);
      expect(await ttlOf(1e9)).toBe(604800);
      expect(await ttlOf(1e9, ALICE)).toBe(2592000);
      expect(await ttlOf('3600abc')).toBe(3600); // leading digits
      expect(await ttlOf('abc')).toBe(60); // parses as 0, raised to the minimum
    });

    it('types: integers, booleans and nulls, never a quoted number or boolean', async () => {
      const { body } = await conceal(s, V2, { secret: 'types', ttl: '3600', passphrase: 's3cret' }, ALICE);
      expectNativeTypes(body);
      for (const f of ['secret_ttl', 'receipt_ttl', 'metadata_ttl', 'lifespan', 'created', 'updated']) {
        expect(Number.isInteger(body.record.receipt[f]), f).toBe(true);
      }
      for (const f of ['is_previewed', 'is_viewed', 'is_revealed', 'is_received', 'is_burned', 'is_expired', 'is_orphaned', 'is_destroyed', 'has_passphrase', 'show_recipients']) {
        expect(typeof body.record.receipt[f], f).toBe('boolean');
      }
    });

    it('an account receipt: custid = the email, owner_id = the customer id', async () => {
      const { body } = await conceal(s, V2, { secret: 'mine', ttl: 3600 }, ALICE);
      const account = await s.app.ots.accounts.get(ALICE.email);
      expect(body.record.receipt).toMatchObject({ custid: ALICE.email, owner_id: account!.customerId });
      expect(body.record.receipt.owner_id).toMatch(/^ur[0-9a-z]+$/);
    });

    it('Basic with the customer id, the organization id or the email in another case is the same account', async () => {
      for (const as of [await byAccountId(s), await byAccountId(s, 'organizationId'), { user: 'ALICE@Example.COM', token: ALICE.token }]) {
        const m = await conceal(s, V2, { secret: 'by id' }, as);
        expect(m.body.record.receipt.custid).toBe(ALICE.email);
        expect(await recentKeys()).toContain(m.receiptKey);
      }
    });

    it('passphrase "s3cret" → has_passphrase true on receipt and secret; "" → none', async () => {
      const withPass = (await conceal(s, V2, { secret: 'p', passphrase: 's3cret' })).body.record;
      expect([withPass.receipt.has_passphrase, withPass.secret.has_passphrase]).toEqual([true, true]);
      const empty = await conceal(s, V2, { secret: 'p', passphrase: '' });
      expect([empty.body.record.receipt.has_passphrase, empty.body.record.secret.has_passphrase]).toEqual([false, false]);
      expect(ok(await revealV2(s, V2, empty.secretKey)).record.secret_value).toBe('p');
      expect((await conceal(s, V2, { secret: 'p', passphrase: null })).body.record.secret.has_passphrase).toBe(false);
    });

    it('passphrase of 129 characters or under PASSPHRASE_MIN_LENGTH → 422 without field', async () => {
      expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x', passphrase: 'p'.repeat(129) } }), 422, {
        error: 'Passphrase must be no more than 128 characters long',
        error_type: 'FormError',
      });
      expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x', passphrase: 'abc' } }), 422, {
        error: 'Passphrase must be at least 4 characters long',
        error_type: 'FormError',
      });
      ok(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x', passphrase: 'p'.repeat(128) } }));
    });

    it('missing, empty or null secret.secret → 422 field "secret"', async () => {
      const nothing = { error: 'You did not provide anything to share', error_type: 'FormError', field: 'secret' };
      for (const payload of [{ secret: {} }, { secret: { secret: '' } }, { secret: { secret: null } }, {}]) {
        expectError(await post(s, `${V2}/secret/conceal`, payload), 422, nothing);
      }
    });

    it('over 10000 bytes → 422 field "secret"; 10000 bytes of multibyte UTF-8 are accepted', async () => {
      const tooBig = { error: 'Secret content must be no more than 10000 bytes long', error_type: 'FormError', field: 'secret' };
      expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x'.repeat(10001) } }), 422, tooBig);
      expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'é'.repeat(5001) } }), 422, tooBig); // 10002 bytes
      const fits = await conceal(s, V2, { secret: 'é'.repeat(5000) });
      expect(ok(await revealV2(s, V2, fits.secretKey)).record.secret_value).toBe('é'.repeat(5000));
    });

    it('a flat v1 body (secret is a string) → 422 Incorrect payload format', async () => {
      const flat = { error: 'Incorrect payload format', error_type: 'FormError', field: 'secret' };
      expectError(await postRaw(s, `${V2}/secret/conceal`, 'secret=foo', 'application/x-www-form-urlencoded'), 422, flat);
      expectError(await post(s, `${V2}/secret/conceal`, { secret: 'foo' }), 422, flat);
    });

    it('a Rack-nested form body works like the JSON body', async () => {
      const body = ok(await postForm(s, `${V2}/secret/conceal`, { secret: { secret: 'from a form', ttl: '3600' } }));
      expect(body.record.secret.secret_ttl).toBe(3600);
      expect(ok(await revealV2(s, V2, body.record.secret.identifier)).record.secret_value).toBe('from a form');
    });

    it('a JSON body without Content-Type, or sent as text/plain, is parsed as JSON', async () => {
      for (const type of [undefined, 'text/plain']) {
        const json = JSON.stringify({ secret: { secret: `sniffed ${type}`, ttl: 3600 } });
        const body = ok(await postRaw(s, `${V2}/secret/conceal`, json, type));
        expect(body.record.secret.secret_ttl).toBe(3600);
        expect(ok(await revealV2(s, V2, body.record.secret.identifier)).record.secret_value).toBe(`sniffed ${type}`);
      }
    });

    it('malformed JSON → 400 in the error shape, never 500', async () => {
      const bad = { error: 'Malformed request body', error_type: 'FormError' };
      expectError(await postRaw(s, `${V2}/secret/conceal`, '{"secret":', 'application/json'), 400, bad);
      expectError(await postRaw(s, `${V2}/secret/conceal`, '{nope', undefined), 400, bad);
    });

    it('a JSON array body carries no parameters → nothing to share', async () => {
      expectError(await postRaw(s, `${V2}/secret/conceal`, '[{"secret":{"secret":"x"}}]', 'application/json'), 422, {
        error: 'You did not provide anything to share',
        error_type: 'FormError',
        field: 'secret',
      });
    });

    it('kind and unknown keys are ignored', async () => {
      const m = await conceal(s, V2, { secret: 'k', kind: 'generate', colour: 'blue' });
      expect(m.body.details.kind).toBe('conceal');
      expect(m.body.record.receipt.kind).toBe('conceal');
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe('k');
    });

    it('share_domain = this server’s host (any case, with :port) → null', async () => {
      for (const d of ['secrets.example.com', 'SECRETS.EXAMPLE.COM:443', 'Secrets.Example.com:8443']) {
        const { body } = await conceal(s, V2, { secret: 'd', share_domain: d });
        expect([body.record.share_domain, body.record.receipt.share_domain], d).toEqual([null, null]);
      }
    });

    it('another plain host name is echoed; anything else is dropped; never an error', async () => {
      const m = await conceal(s, V2, { secret: 'd', share_domain: 'example.org' });
      expect([m.body.record.share_domain, m.body.record.receipt.share_domain]).toEqual(['example.org', 'example.org']);
      expect((await receiptOf(m.receiptKey)).record.share_url).toBe(`https://example.org/secret/${m.secretKey}`);
      for (const d of ['not a domain', 'https://x.example/', '']) {
        expect((await conceal(s, V2, { secret: 'd', share_domain: d })).body.record.share_domain, d).toBeNull();
      }
    });

    it('recipient without an account → 401', async () => {
      expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x', recipient: 'a@b.example' } }), 401, {
        error: 'An account is required to send emails.',
        error_type: 'Unauthorized',
      });
    });

    it('recipient with an account (SMTP not configured) → accepted, lower-cased, obscured', async () => {
      const m = await conceal(s, V2, { secret: 'mail', recipient: 'A@B.example' }, ALICE);
      expect(m.body.details).toEqual({ kind: 'conceal', recipient: ['a@b.example'], recipient_safe: ['a*****@b*****.example'] });
      expect(m.body.record.receipt).toMatchObject({ recipients: 'a*****@b*****.example', show_recipients: true });
      const view = await receiptOf(m.receiptKey, ALICE);
      expect(view.record).toMatchObject({ recipients: 'a*****@b*****.example', show_recipients: true });
      expect(view.details).toMatchObject({ show_recipients: true, show_secret_link: false });
    });

    it('recipient as an array: empties dropped, lower-cased, duplicates removed', async () => {
      const m = await conceal(s, V2, { secret: 'mail', recipient: ['A@B.example', '', '<b>a@b.example</b>'] }, ALICE);
      expect(m.body.details).toEqual({ kind: 'conceal', recipient: ['a@b.example'], recipient_safe: ['a*****@b*****.example'] });
    });

    it('an undeliverable recipient → 422 field "recipient"', async () => {
      expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x', recipient: 'not an address' } }, ALICE), 422, {
        error: 'Invalid recipient address',
        error_type: 'FormError',
        field: 'recipient',
      });
    });

    it('wrong credentials → 401 and no secret is created', async () => {
      const before = await recentKeys();
      for (const as of [{ email: ALICE.email, token: 'wrong' }, { email: 'nobody@example.com', token: 'x' }, { header: 'Bearer x' }, { header: 'Basic %%%' }]) {
        expectError(await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x' } }, as), 401, NOT_AUTHORIZED);
      }
      expect(await recentKeys()).toEqual(before);
    });

    it('Basic Og== (empty user and token) is anonymous', async () => {
      const { body } = await conceal(s, V2, { secret: 'x' }, { header: 'Basic Og==' });
      expect(body.record.receipt).toMatchObject({ custid: null, owner_id: null });
    });

    it('/guest/secret/conceal ignores credentials, valid or not: the receipt is anonymous', async () => {
      const before = await recentKeys();
      for (const as of [ALICE, { email: ALICE.email, token: 'wrong' }]) {
        const { body } = await conceal(s, `${V2}/guest`, { secret: 'x' }, as);
        expect(body.record.receipt).toMatchObject({ custid: null, owner_id: null });
      }
      expect(await recentKeys()).toEqual(before);
    });
  });

  describe('§8 34–39 generate (the value once, in the generate response: §10.4)', () => {
    it('{"secret":{}} → 200, kind "generate", a 12-character value in record.secret.secret_value only', async () => {
      const m = await generate(s, V2, { ttl: 3600 });
      const value = m.body.record.secret.secret_value;
      expect(value).toMatch(/^\S{12}$/);
      const receipt = receiptRecord(facts(m, 3600, { kind: 'generate' }));
      expect(m.body).toEqual({
        success: true,
        record: { receipt, metadata: receipt, secret: secretRecord(facts(m, 3600), { secret_value: value }), share_domain: null },
        details: { kind: 'generate', recipient: [], recipient_safe: [] },
      });
      expect(ok(await post(s, `${V2}/secret/generate`, { secret: {} })).details.kind).toBe('generate');
      expect(ok(await post(s, `${V2}/guest/secret/generate`, { secret: {} })).record.secret.secret_value).toMatch(/^\S{12}$/);
    });

    it('a later receipt view never shows the value: details.secret_value null, first and second time', async () => {
      const m = await generate(s, V2);
      for (let i = 0; i < 2; i++) {
        const view = await receiptOf(m.receiptKey);
        expect(view.details.secret_value).toBeNull();
        expect(JSON.stringify(view)).not.toContain(m.body.record.secret.secret_value);
        expect(view.record).toMatchObject({ kind: 'generate', state: 'new' });
      }
    });

    it('concurrent first receipt views: none of them sees the value', async () => {
      const m = await generate(s, V2);
      const views = await Promise.all(Array.from({ length: 5 }, () => get(s, `${V2}/receipt/${m.receiptKey}`)));
      for (const v of views) expect(ok(v).details.secret_value).toBeNull();
    });

    it('length 20 → 20 characters; 129 → 422; 0 and non-numeric → 422 Length must be positive', async () => {
      expect((await generate(s, V2, { length: 20 })).body.record.secret.secret_value).toHaveLength(20);
      expect((await generate(s, V2, { length: 128 })).body.record.secret.secret_value).toHaveLength(128);
      expectError(await post(s, `${V2}/secret/generate`, { secret: { length: 129 } }), 422, {
        error: 'Generated password length must be no more than 128 characters',
        error_type: 'FormError',
        field: 'length',
      });
      for (const length of [0, 'abc']) {
        expectError(await post(s, `${V2}/secret/generate`, { secret: { length } }), 422, {
          error: 'Length must be positive',
          error_type: 'FormError',
          field: 'length',
        });
      }
    });

    it('character_sets: numbers only → digits without look-alikes; several sets → one of each', async () => {
      const only = { uppercase: false, lowercase: false, numbers: true, symbols: false };
      for (let i = 0; i < 5; i++) {
        expect((await generate(s, V2, { length: 30, character_sets: only })).body.record.secret.secret_value).toMatch(/^[2-9]{30}$/);
      }
      const two = { uppercase: true, lowercase: false, numbers: true, symbols: false };
      for (let i = 0; i < 10; i++) {
        const value: string = (await generate(s, V2, { length: 2, character_sets: two })).body.record.secret.secret_value;
        expect(value, value).toMatch(/^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{2}$/);
        expect(value).not.toMatch(/[IO01]/);
      }
      const all = (await generate(s, V2, { length: 4 })).body.record.secret.secret_value as string;
      expect(all, all).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])(?=.*[^A-Za-z0-9]).{4}$/);
    });

    it('the generated secret reveals as the same value', async () => {
      const m = await generate(s, V2);
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe(m.body.record.secret.secret_value);
    });
  });

  describe('§8 40–47 show and status', () => {
    it('GET /secret/:id → the secret record without its value; the secret stays revealable', async () => {
      const m = await conceal(s, V2, { secret: 'look only', ttl: 3600 });
      const expected = shownSecret(facts(m, 3600));
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}`))).toEqual(expected);
      expect(ok(await get(s, `${V2}/guest/secret/${m.secretKey}`))).toEqual(expected);
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe('look only');
    });

    it('is_owner is true for the account that made it', async () => {
      const m = await conceal(s, V2, { secret: 'own' }, ALICE);
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}`, ALICE)).details.is_owner).toBe(true);
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}`, BOB)).details.is_owner).toBe(false);
    });

    it('does not change the receipt: state new, not previewed, view_count 0 (no access log)', async () => {
      const m = await conceal(s, V2, { secret: 'peek' });
      ok(await get(s, `${V2}/secret/${m.secretKey}`));
      ok(await get(s, `${V2}/secret/${m.secretKey}/status`));
      const view = await receiptOf(m.receiptKey);
      expect(view.record).toMatchObject({ state: 'new', is_previewed: false, is_viewed: false, previewed: null, viewed: null });
      expect(view.details).toMatchObject({ view_count: 0, first_access: null, last_access: null });
    });

    it('?continue=true never consumes', async () => {
      const m = await conceal(s, V2, { secret: 'still here' });
      const shown = ok(await get(s, `${V2}/secret/${m.secretKey}?continue=true`));
      expect(shown.record).not.toHaveProperty('secret_value');
      expect(shown.details.show_secret).toBe(false);
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe('still here');
    });

    it('a passphrase secret: has_passphrase true; no correct_passphrase, whatever the query says (the passphrase gate)', async () => {
      const m = await conceal(s, V2, { secret: 'guarded', passphrase: 'right one' });
      const shown = ok(await get(s, `${V2}/secret/${m.secretKey}`));
      expect(shown.record.has_passphrase).toBe(true);
      expect(shown.details).not.toHaveProperty('correct_passphrase');
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}?passphrase=right%20one`)).details).toEqual(shown.details);
    });

    it('an unknown secret → 404 RecordNotFound, JSON even for Accept: text/html', async () => {
      expectError(await get(s, `${V2}/secret/${UNKNOWN_KEY}`), 404, UNKNOWN_SECRET);
      expectError(await send(s, 'GET', `${V2}/secret/${UNKNOWN_KEY}`, { headers: { accept: 'text/html' } }), 404, UNKNOWN_SECRET);
      expectError(await get(s, `${V2}/guest/secret/NOT-a-key`), 404, UNKNOWN_SECRET);
      const m = await conceal(s, V2, { secret: 'exact key' });
      for (const key of [m.secretKey.toUpperCase(), `${m.secretKey}x`, 'k'.repeat(65)]) {
        expectError(await get(s, `${V2}/secret/${key}`), 404, UNKNOWN_SECRET);
        expectError(await revealV2(s, V2, key), 404, UNKNOWN_SECRET);
      }
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe('exact key');
    });

    it('GET /secret/:id/status → the record, state new, current_expiration ≤ ttl', async () => {
      const m = await conceal(s, V2, { secret: 'status', ttl: 3600 });
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}/status`))).toEqual(secretStatus(facts(m, 3600)));
    });

    it('GET /secret/<unknown>/status → 200 state unknown; also once read', async () => {
      const unknown = { success: true, record: { state: 'unknown' } };
      expect(ok(await get(s, `${V2}/secret/${UNKNOWN_KEY}/status`))).toEqual(unknown);
      const m = await conceal(s, V2, { secret: 'gone' });
      ok(await revealV2(s, V2, m.secretKey));
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}/status`))).toEqual(unknown);
    });

    it('POST /secret/status with a CSV string or an array → the known ones, in order, and their count', async () => {
      const a = await conceal(s, V2, { secret: 'a', ttl: 3600 });
      const b = await conceal(s, V2, { secret: 'b', ttl: 3600 });
      const expected = { success: true, records: [secretRecord(facts(b, 3600)), secretRecord(facts(a, 3600))], count: 2 };
      const csv = `${b.secretKey},${UNKNOWN_KEY},${a.secretKey}`;
      expect(ok(await post(s, `${V2}/secret/status`, { identifiers: csv }))).toEqual(expected);
      expect(ok(await post(s, `${V2}/secret/status`, { identifiers: csv.split(',') }))).toEqual(expected);
      expect(ok(await post(s, `${V2}/secret/status`, { identifiers: UNKNOWN_KEY }))).toEqual({ success: true, records: [], count: 0 });
    });
  });

  describe('§8 48–55 reveal', () => {
    it('{"continue":true} → the value byte for byte, state revealed, show_secret, one_liner', async () => {
      const value = 'line one\nline two 🔐\n';
      const m = await conceal(s, V2, { secret: value, ttl: 3600 });
      const body = ok(await revealV2(s, V2, m.secretKey));
      expect(body).toEqual(revealedSecret(facts(m, 3600), value));
      expect(body.details.one_liner).toBe(false);
      expect(Number.isInteger(body.details.display_lines)).toBe(true);
      const single = await conceal(s, `${V2}/guest`, { secret: 'one line' });
      expect(ok(await revealV2(s, `${V2}/guest`, single.secretKey)).details.one_liner).toBe(true);
    });

    it('continue "true" reveals; absent, false or "yes" answers 200 without the value and keeps the secret', async () => {
      const m = await conceal(s, V2, { secret: 'patience' });
      for (const body of [{}, { continue: false }, { continue: 'yes' }]) {
        const res = ok(await post(s, `${V2}/secret/${m.secretKey}/reveal`, body));
        expect(res.record).not.toHaveProperty('secret_value');
        expect(res.record.state).toBe('new');
        expect(res.details).toMatchObject({ continue: false, show_secret: false });
      }
      expect(ok(await post(s, `${V2}/secret/${m.secretKey}/reveal`, { continue: 'true' })).record.secret_value).toBe('patience');
    });

    it('parameters merge query and body, the JSON body winning', async () => {
      const m = await conceal(s, V2, { secret: 'merged' });
      const held = ok(await post(s, `${V2}/secret/${m.secretKey}/reveal?continue=true`, { continue: false }));
      expect(held.record).not.toHaveProperty('secret_value');
      expect(ok(await post(s, `${V2}/secret/${m.secretKey}/reveal?continue=true`, {})).record.secret_value).toBe('merged');
    });

    it('a second reveal → 404 Unknown secret', async () => {
      const m = await conceal(s, V2, { secret: 'once' });
      ok(await revealV2(s, V2, m.secretKey));
      expectError(await revealV2(s, V2, m.secretKey), 404, UNKNOWN_SECRET);
      expectError(await revealV2(s, `${V2}/guest`, m.secretKey), 404, UNKNOWN_SECRET);
      expectError(await revealV2(s, V2, UNKNOWN_KEY), 404, UNKNOWN_SECRET);
    });

    it('a wrong or missing passphrase → 422 Incorrect passphrase and nothing consumed', async () => {
      const m = await conceal(s, V2, { secret: 'guarded', passphrase: 'right one' });
      expectError(await revealV2(s, V2, m.secretKey, { passphrase: 'wrong' }), 422, INCORRECT_PASSPHRASE);
      expectError(await revealV2(s, V2, m.secretKey), 422, INCORRECT_PASSPHRASE);
      expect(ok(await revealV2(s, V2, m.secretKey, { passphrase: 'right one' })).record.secret_value).toBe('guarded');
    });

    it('wrong passphrases on reveal and burn share one limit per secret; a show never counts', async () => {
      const m = await conceal(s, V2, { secret: 'guarded', passphrase: 'right one' });
      expectError(await revealV2(s, V2, m.secretKey, { passphrase: 'reveal guess' }), 422, INCORRECT_PASSPHRASE);
      expectError(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { passphrase: 'burn guess' }), 422, DOUBLE_CHECK_PASSPHRASE);
      expect(ok(await get(s, `${V2}/secret/${m.secretKey}?passphrase=show%20guess`)).details.show_secret).toBe(false);
      expectError(await revealV2(s, `${V2}/guest`, m.secretKey, { passphrase: 'third guess' }), 422, INCORRECT_PASSPHRASE);
      expect((await revealV2(s, `${V2}/guest`, m.secretKey, { passphrase: 'right one' })).status).toBe(429);
    });

    it(`past ${MAX_ATTEMPTS} wrong passphrases → 429 LimitExceeded with retry_after and Retry-After, even for the right one`, async () => {
      const m = await conceal(s, V2, { secret: 'guarded', passphrase: 'right one' });
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        expectError(await revealV2(s, V2, m.secretKey, { passphrase: `guess ${i}` }), 422, INCORRECT_PASSPHRASE);
      }
      const limited = await revealV2(s, V2, m.secretKey, { passphrase: 'right one' });
      expectError(limited, 429, {
        error: 'Too many incorrect passphrase attempts. Please try again later.',
        error_type: 'LimitExceeded',
        retry_after: expect.any(Number),
        max_attempts: MAX_ATTEMPTS,
      });
      expect(Number.isInteger(limited.body.retry_after) && limited.body.retry_after > 0).toBe(true);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true, passphrase: 'right one' })).status).toBe(429);
    });

    it('of 10 concurrent reveals exactly one gets the value, the others 404', async () => {
      const m = await conceal(s, V2, { secret: 'race' });
      const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => revealV2(s, i % 2 ? V2 : `${V2}/guest`, m.secretKey)));
      const winners = replies.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.body.record.secret_value).toBe('race');
      for (const r of replies.filter((x) => x.status !== 200)) expectError(r, 404, UNKNOWN_SECRET);
    });
  });

  describe('§8 56–65 receipt', () => {
    it('GET /receipt/:id → the full record with links, and details', async () => {
      const m = await conceal(s, V2, { secret: 'receipt', ttl: 3600 });
      expect(await receiptOf(m.receiptKey)).toEqual(freshReceiptView(facts(m, 3600)));
    });

    it('natural_expiration in words, always plural', async () => {
      for (const [ttl, words] of [[60, '60 seconds'], [3600, '60 minutes'], [7200, '2 hours'], [86400, '24 hours'], [604800, '7 days']] as const) {
        const m = await conceal(s, V2, { secret: 'words', ttl });
        expect((await receiptOf(m.receiptKey)).record.natural_expiration, String(ttl)).toBe(words);
      }
    });

    it('a passphrase secret: no secret_identifier key, has_passphrase true, cannot be decrypted from here', async () => {
      const m = await conceal(s, V2, { secret: 'p', passphrase: 'right one' });
      const view = await receiptOf(m.receiptKey);
      expect(view.record).not.toHaveProperty('secret_identifier');
      expect(view.record).toMatchObject({ has_passphrase: true, secret_shortid: m.secretKey.slice(0, 8), secret_state: 'new' });
      expect(view.details).toMatchObject({ has_passphrase: true, can_decrypt: false, show_secret: false, show_secret_link: false });
    });

    it('the share, receipt and burn URLs are pages of this server', async () => {
      const m = await conceal(s, V2, { secret: 'pages' });
      const { record } = await receiptOf(m.receiptKey);
      for (const url of [record.share_url, record.receipt_url, record.burn_url] as string[]) {
        expect(url.startsWith(PUBLIC_URL)).toBe(true);
        const page = await send(s, 'GET', url.slice(PUBLIC_URL.length), { headers: { accept: 'text/html' } });
        expect(page.status, url).toBe(200);
      }
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe('pages'); // the page did not consume it
    });

    it('after the reveal: state revealed, destroyed, times set, secret_state and secret_realttl null', async () => {
      const m = await conceal(s, V2, { secret: 'read me', ttl: 3600 });
      const created = now();
      clockMs += 2_000;
      ok(await revealV2(s, V2, m.secretKey));
      const view = await receiptOf(m.receiptKey);
      expect(view.record).toMatchObject({
        created,
        updated: now(),
        state: 'revealed',
        is_revealed: true,
        is_received: true,
        is_destroyed: true,
        is_burned: false,
        revealed: now(),
        received: now(),
        secret_state: null,
        secret_shortid: m.secretKey.slice(0, 8),
        share_path: 'secret/',
        share_url: `${PUBLIC_URL}/secret/`,
      });
      expect(view.record).not.toHaveProperty('secret_identifier');
      expect(view.details).toMatchObject({ secret_realttl: null, has_passphrase: false, can_decrypt: false, show_secret: false, show_receipt_link: false });
      expectNativeTypes(view);
    });

    it('/private/:id answers exactly as /receipt/:id, and /guest/receipt/:id too', async () => {
      const m = await conceal(s, V2, { secret: 'aliases', ttl: 3600 });
      await receiptOf(m.receiptKey); // the first view marks it seen by its creator; compare views after that
      const same = (b: { details: object }) => ({ ...b, details: { ...b.details, secret_realttl: 0 } });
      const receipt = same(await receiptOf(m.receiptKey));
      expect(same(ok(await get(s, `${V2}/private/${m.receiptKey}`)))).toStrictEqual(receipt);
      expect(same(ok(await get(s, `${V2}/guest/receipt/${m.receiptKey}`)))).toStrictEqual(receipt);
    });

    it('an unknown receipt → 404 Unknown receipt on every alias', async () => {
      for (const base of ['/receipt', '/private', '/guest/receipt']) {
        expectError(await get(s, `${V2}${base}/${UNKNOWN_KEY}`), 404, UNKNOWN_RECEIPT);
      }
    });

    it('by default anyone holding the receipt key sees an account receipt (RECEIPTS_OWNER_ONLY=false)', async () => {
      const m = await conceal(s, V2, { secret: 'shared key' }, ALICE);
      for (const as of [undefined, BOB, ALICE]) {
        expect((await receiptOf(m.receiptKey, as)).record).toMatchObject({ identifier: m.receiptKey, custid: ALICE.email });
      }
      expect(ok(await get(s, `${V2}/guest/receipt/${m.receiptKey}`)).record.custid).toBe(ALICE.email);
    });

    it('wrong credentials on the basic+anon routes → 401 and nothing consumed; on /guest they are ignored', async () => {
      const wrong = { email: ALICE.email, token: 'wrong' };
      const m = await conceal(s, V2, { secret: 'guarded by auth' });
      for (const reply of [
        await get(s, `${V2}/receipt/${m.receiptKey}`, wrong),
        await get(s, `${V2}/private/${m.receiptKey}`, wrong),
        await get(s, `${V2}/secret/${m.secretKey}`, wrong),
        await get(s, `${V2}/secret/${m.secretKey}/status`, wrong),
        await post(s, `${V2}/secret/status`, { identifiers: m.secretKey }, wrong),
        await post(s, `${V2}/secret/${m.secretKey}/reveal`, { continue: true }, wrong),
        await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }, wrong),
      ]) {
        expectError(reply, 401, NOT_AUTHORIZED);
      }
      expect(ok(await get(s, `${V2}/guest/receipt/${m.receiptKey}`, wrong)).record.state).toBe('new');
      expect(ok(await get(s, `${V2}/guest/secret/${m.secretKey}`, wrong)).record.state).toBe('new');
      expect(ok(await post(s, `${V2}/guest/secret/${m.secretKey}/reveal`, { continue: true }, wrong)).record.secret_value).toBe(
        'guarded by auth',
      );
    });

    it('an ill-formed receipt key is an unknown receipt', async () => {
      for (const key of ['NOT-a-key', 'k'.repeat(65), UNKNOWN_KEY.toUpperCase()]) {
        expectError(await get(s, `${V2}/receipt/${key}`), 404, UNKNOWN_RECEIPT);
        expectError(await post(s, `${V2}/receipt/${key}/burn`, { continue: true }), 404, UNKNOWN_RECEIPT);
      }
    });
  });

  describe('§8 66–71 burn', () => {
    it('{"continue":true} → success, the receipt after the burn, burn details; the secret is gone', async () => {
      const m = await conceal(s, V2, { secret: 'burn me', ttl: 3600 });
      const f = facts(m, 3600);
      clockMs += 2_000;
      const body = ok(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }));
      expect(body).toEqual({
        success: true,
        record: expect.objectContaining(
          receiptRecord(f, {
            state: 'burned',
            is_burned: true,
            is_destroyed: true,
            burned: now(),
            updated: now(),
            secret_identifier: '',
            natural_expiration: '2 hours',
            expiration: f.created + 7200,
            expiration_in_seconds: 7200,
            receipt_path: `receipt/${m.receiptKey}`,
            receipt_url: `${PUBLIC_URL}/receipt/${m.receiptKey}`,
            burn_url: `${PUBLIC_URL}/receipt/${m.receiptKey}/burn`,
          }),
        ),
        details: {
          type: 'record',
          title: 'Secret burned',
          display_lines: 0,
          display_feedback: false,
          no_cache: true,
          view_count: 0,
          has_passphrase: false,
          can_decrypt: false,
          show_secret: false,
          show_secret_link: false,
          show_receipt_link: false,
          show_receipt: true,
          show_recipients: false,
          is_orphaned: false,
        },
      });
      expect(body.record).not.toHaveProperty('secret_state');
      expectNativeTypes(body);
      expectError(await revealV2(s, V2, m.secretKey), 404, UNKNOWN_SECRET);
      expect((await receiptOf(m.receiptKey)).record).toMatchObject({ state: 'burned', is_burned: true, secret_state: null });
    });

    it('continue "true" and a body without continue (the Python client) burn too, on every alias', async () => {
      for (const [base, body] of [['/receipt', { continue: 'true' }], ['/private', {}], ['/guest/receipt', { continue: true }]] as const) {
        const m = await conceal(s, V2, { secret: `burn via ${base}` });
        const res = ok(await post(s, `${V2}${base}/${m.receiptKey}/burn`, body));
        expect([res.success, res.record.state], base).toEqual([true, 'burned']);
      }
    });

    it('continue false → 200 success false, nothing burned', async () => {
      const m = await conceal(s, V2, { secret: 'keep me' });
      for (const body of [{ continue: false }, { continue: 'no' }]) {
        const res = ok(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, body));
        expect([res.success, res.record.state]).toEqual([false, 'new']);
      }
      expect(ok(await revealV2(s, V2, m.secretKey)).record.secret_value).toBe('keep me');
    });

    it('a passphrase secret: wrong or missing passphrase → 422 Double check that passphrase; right → burned', async () => {
      const m = await conceal(s, V2, { secret: 'p', passphrase: 'right one' });
      expectError(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true, passphrase: 'wrong' }), 422, DOUBLE_CHECK_PASSPHRASE);
      expectError(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }), 422, DOUBLE_CHECK_PASSPHRASE);
      expect((await receiptOf(m.receiptKey)).record.state).toBe('new');
      const burned = ok(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true, passphrase: 'right one' }));
      expect([burned.success, burned.record.state]).toEqual([true, 'burned']);
    });

    it('burning a revealed or burned receipt → 200 success false, state unchanged; unknown → 404', async () => {
      const read = await conceal(s, V2, { secret: 'read' });
      ok(await revealV2(s, V2, read.secretKey));
      const late = ok(await post(s, `${V2}/receipt/${read.receiptKey}/burn`, { continue: true }));
      expect([late.success, late.record.state, late.record.is_revealed]).toEqual([false, 'revealed', true]);
      const burned = await conceal(s, V2, { secret: 'burned' });
      ok(await post(s, `${V2}/receipt/${burned.receiptKey}/burn`, { continue: true }));
      const again = ok(await post(s, `${V2}/receipt/${burned.receiptKey}/burn`, { continue: true }));
      expect([again.success, again.record.state]).toEqual([false, 'burned']);
      expectError(await post(s, `${V2}/receipt/${UNKNOWN_KEY}/burn`, { continue: true }), 404, UNKNOWN_RECEIPT);
    });

    it('by default another account or an anonymous caller may burn an account receipt', async () => {
      for (const as of [BOB, undefined]) {
        const m = await conceal(s, V2, { secret: 'anyone' }, ALICE);
        expect(ok(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }, as)).record.state).toBe('burned');
      }
    });

    it('concurrent reveals and burns of one secret: exactly one wins', async () => {
      for (let round = 0; round < 5; round++) {
        const m = await conceal(s, V2, { secret: 'contested' });
        const replies = await Promise.all([
          revealV2(s, V2, m.secretKey),
          post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }),
          revealV2(s, `${V2}/guest`, m.secretKey),
          post(s, `${V2}/guest/receipt/${m.receiptKey}/burn`, {}),
        ]);
        const reveals = [replies[0]!, replies[2]!].filter((r) => r.status === 200);
        const burns = [replies[1]!, replies[3]!].filter((r) => r.status === 200 && r.body.success === true);
        expect(reveals.length + burns.length, `round ${round}`).toBe(1);
        for (const r of [replies[0]!, replies[2]!]) if (r.status !== 200) expectError(r, 404, UNKNOWN_SECRET);
        for (const r of [replies[1]!, replies[3]!]) expect(r.status).toBe(200);
        const state = (await receiptOf(m.receiptKey)).record.state;
        expect(state).toBe(reveals.length === 1 ? 'revealed' : 'burned');
      }
    });
  });

  describe('§8 72–76 recent and memo', () => {
    it('GET /receipt/recent without or with bad credentials → 401', async () => {
      for (const path of ['/receipt/recent', '/private/recent']) {
        expectError(await get(s, `${V2}${path}`), 401, NOT_AUTHORIZED);
        expectError(await get(s, `${V2}${path}`, { email: ALICE.email, token: 'wrong' }), 401, NOT_AUTHORIZED);
        expectError(await get(s, `${V2}${path}`, { header: 'Basic Og==' }), 401, NOT_AUTHORIZED);
      }
    });

    it("the caller's receipts of the last 30 days, newest updated first, split into revealed and pending", async () => {
      const made: Made[] = [];
      for (const secret of ['one', 'two', 'three']) {
        clockMs += 1_000;
        made.push(await conceal(s, V2, { secret, ttl: 3600 }, ALICE));
      }
      clockMs += 1_000;
      ok(await revealV2(s, V2, made[0]!.secretKey)); // now the most recently updated
      const other = await conceal(s, V2, { secret: 'bob' }, BOB);
      const anonymous = await conceal(s, V2, { secret: 'anon' });

      const body = ok(await get(s, `${V2}/receipt/recent`, ALICE));
      expect(body).toEqual({
        success: true,
        custid: ALICE.email,
        count: body.records.length,
        records: expect.any(Array),
        details: {
          type: 'list',
          scope: null,
          scope_label: null,
          since: intBetween(now() - 30 * 86400 - 1, now() - 30 * 86400 + 1),
          now: intBetween(now() - 1, now() + 1),
          has_items: true,
          revealed_receipts: body.records.filter((r: { is_destroyed: boolean }) => r.is_destroyed),
          pending_receipts: body.records.filter((r: { is_destroyed: boolean }) => !r.is_destroyed),
        },
      });
      const keys = body.records.map((r: { identifier: string }) => r.identifier);
      expect(keys.slice(0, 3)).toEqual([made[0]!.receiptKey, made[2]!.receiptKey, made[1]!.receiptKey]);
      expect(keys).not.toContain(other.receiptKey);
      expect(keys).not.toContain(anonymous.receiptKey);
      expect(body.records[1]).toEqual(made[2]!.body.record.receipt);
      expect(body.records[0]).toMatchObject({ state: 'revealed', is_destroyed: true, secret_identifier: '' });
      const updated = body.records.map((r: { updated: number }) => r.updated);
      expect(updated).toEqual([...updated].sort((a, b) => b - a));
      expectNativeTypes(body);
      expect(ok(await get(s, `${V2}/private/recent`, ALICE))).toEqual(body);
      expect(ok(await get(s, `${V2}/receipt/recent?scope=org`, ALICE))).toEqual(body);
      expect(await recentKeys(BOB)).toContain(other.receiptKey);
      expect(await recentKeys(BOB)).not.toContain(made[1]!.receiptKey);
    });

    it('an account with nothing: count 0, has_items false', async () => {
      const carol = { email: 'carol@example.com', token: '5c0e9a1f7b3d4e62a8c1f09d7e6b5a43' };
      const fresh = await listenApp(kind, { OTS_ACCOUNTS: `${carol.email}:${carol.token}` });
      try {
        const body = ok(await get(fresh, `${V2}/receipt/recent`, carol));
        expect(body).toMatchObject({ success: true, custid: 'carol@example.com', count: 0, records: [] });
        expect(body.details).toMatchObject({ has_items: false, revealed_receipts: [], pending_receipts: [] });
      } finally {
        await fresh.close();
      }
    });

    it('scope=domain → 422 Invalid domain', async () => {
      expectError(await get(s, `${V2}/receipt/recent?scope=domain`, ALICE), 422, { error: 'Invalid domain', error_type: 'FormError' });
    });

    it('PATCH by the owner sets the memo: HTML stripped, whitespace collapsed, cut to 500', async () => {
      const m = await conceal(s, V2, { secret: 'memo', ttl: 3600 }, ALICE);
      const set = async (memo: string, base = '/receipt') => ok(await patch(s, `${V2}${base}/${m.receiptKey}`, { memo }, ALICE));
      const body = await set('hi');
      expect(body).toEqual({ success: true, record: expect.objectContaining({ identifier: m.receiptKey, memo: 'hi', custid: ALICE.email }) });
      expect((await set('<b>x</b>')).record.memo).toBe('x');
      expect((await set('a   b\n\t c', '/private')).record.memo).toBe('a b c');
      expect((await set('m'.repeat(600))).record.memo).toBe('m'.repeat(500));
      expect((await receiptOf(m.receiptKey)).record.memo).toBe('m'.repeat(500));
      expect(ok(await patch(s, `${V2}/receipt/${m.receiptKey}`, {}, ALICE)).record.memo).toBe('m'.repeat(500));
    });

    it('PATCH anonymously, by another account, or of an anonymous receipt → 401; unknown → 404', async () => {
      const m = await conceal(s, V2, { secret: 'memo' }, ALICE);
      expectError(await patch(s, `${V2}/receipt/${m.receiptKey}`, { memo: 'x' }), 401, NOT_YOURS_MEMO);
      expectError(await patch(s, `${V2}/receipt/${m.receiptKey}`, { memo: 'x' }, BOB), 401, NOT_YOURS_MEMO);
      expectError(await patch(s, `${V2}/private/${m.receiptKey}`, { memo: 'x' }, BOB), 401, NOT_YOURS_MEMO);
      const anonymous = await conceal(s, V2, { secret: 'anon' });
      expectError(await patch(s, `${V2}/receipt/${anonymous.receiptKey}`, { memo: 'x' }, ALICE), 401, NOT_YOURS_MEMO);
      expectError(await patch(s, `${V2}/receipt/${UNKNOWN_KEY}`, { memo: 'x' }, ALICE), 404, UNKNOWN_RECEIPT);
      expect((await receiptOf(m.receiptKey)).record.memo).toBeNull();
    });

    it('a refused PATCH without memo changes nothing: the receipt is still unseen by its creator', async () => {
      const m = await conceal(s, V2, { secret: 'memo' }, ALICE);
      expectError(await patch(s, `${V2}/receipt/${m.receiptKey}`, {}, BOB), 401, NOT_YOURS_MEMO);
      expectError(await patch(s, `${V2}/receipt/${m.receiptKey}`, {}), 401, NOT_YOURS_MEMO);
      // The stored state (v2 says new for viewed too): a view of the receipt would have moved it to viewed.
      expect((await s.store.secrets.getReceipt(m.receiptKey))?.receipt.state).toBe('new');
    });
  });

  describe('§8 78–79 errors', () => {
    it('every refusal is JSON with string error and error_type; form errors are 422 with a field', async () => {
      const replies = [
        await get(s, `${V2}/nope`),
        await get(s, `${V2}/secret/${UNKNOWN_KEY}`),
        await post(s, `${V2}/secret/conceal`, { secret: {} }),
        await post(s, `${V2}/secret/generate`, { secret: { length: 999 } }),
        await get(s, `${V2}/receipt/recent`),
        await postRaw(s, `${V2}/secret/conceal`, '{', 'application/json'),
      ];
      for (const r of replies) {
        expect(r.headers.get('content-type')).toMatch(/json/);
        expect(typeof r.body.error).toBe('string');
        expect(typeof r.body.error_type).toBe('string');
      }
      expect(replies.map((r) => r.status)).toEqual([404, 404, 422, 422, 401, 400]);
      expect([replies[2]!.body.field, replies[3]!.body.field]).toEqual(['secret', 'length']);
    });
  });
});

describe.each(STORE_KINDS)('v2 with RECEIPTS_OWNER_ONLY=true (%s store)', (kind) => {
  const s = serve(kind, { RECEIPTS_OWNER_ONLY: 'true' });

  it("another account's or an anonymous request for an account receipt → 404 Unknown receipt; the owner → 200", async () => {
    const m = await conceal(s, V2, { secret: 'private' }, ALICE);
    for (const as of [undefined, BOB]) {
      for (const base of ['/receipt', '/private']) expectError(await get(s, `${V2}${base}/${m.receiptKey}`, as), 404, UNKNOWN_RECEIPT);
      expectError(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }, as), 404, UNKNOWN_RECEIPT);
    }
    expectError(await get(s, `${V2}/guest/receipt/${m.receiptKey}`, ALICE), 404, UNKNOWN_RECEIPT); // guest: always anonymous
    expectError(await post(s, `${V2}/guest/receipt/${m.receiptKey}/burn`, { continue: true }), 404, UNKNOWN_RECEIPT);
    expect(ok(await get(s, `${V2}/receipt/${m.receiptKey}`, ALICE)).record.custid).toBe(ALICE.email);
    expect(ok(await get(s, `${V2}/receipt/${m.receiptKey}`, await byAccountId(s))).record.custid).toBe(ALICE.email);
    expect(ok(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }, ALICE)).record.state).toBe('burned');
  });

  it('anonymous receipts stay open to anyone holding the key', async () => {
    const m = await conceal(s, V2, { secret: 'anon' });
    for (const as of [undefined, BOB]) expect(ok(await get(s, `${V2}/receipt/${m.receiptKey}`, as)).record.custid).toBeNull();
    expect(ok(await get(s, `${V2}/guest/receipt/${m.receiptKey}`)).record.state).toBe('new');
    expect(ok(await post(s, `${V2}/guest/receipt/${m.receiptKey}/burn`, { continue: true })).record.state).toBe('burned');
  });
});

describe.each(STORE_KINDS)('v2 on a private instance: ALLOW_ANONYMOUS=false, VERSION_REQUIRES_AUTH=true (%s store)', (kind) => {
  const s = serve(kind, { ALLOW_ANONYMOUS: 'false', VERSION_REQUIRES_AUTH: 'true' });

  const concealOff = { error: 'Guest conceal is disabled', error_type: 'GuestRoutesDisabled', code: 'GUEST_CONCEAL_DISABLED' };
  const generateOff = { error: 'Guest generate is disabled', error_type: 'GuestRoutesDisabled', code: 'GUEST_GENERATE_DISABLED' };

  it('anonymous conceal and generate → 403 GuestRoutesDisabled, on /secret and /guest/secret', async () => {
    for (const api of [V2, `${V2}/guest`]) {
      expectError(await post(s, `${api}/secret/conceal`, { secret: { secret: 'x' } }), 403, concealOff);
      expectError(await post(s, `${api}/secret/generate`, { secret: {} }), 403, generateOff);
    }
    expectError(await post(s, `${V2}/guest/secret/conceal`, { secret: { secret: 'x' } }, ALICE), 403, concealOff);
  });

  it('with an account conceal and generate work; anonymous show, reveal, receipt and burn stay open', async () => {
    const m = await conceal(s, V2, { secret: 'from alice' }, ALICE);
    expect((await generate(s, V2, {}, ALICE)).body.record.receipt.custid).toBe(ALICE.email);
    expect(ok(await get(s, `${V2}/guest/secret/${m.secretKey}`)).record.state).toBe('new');
    expect(ok(await get(s, `${V2}/receipt/${m.receiptKey}`)).record.state).toBe('new');
    expect(ok(await revealV2(s, `${V2}/guest`, m.secretKey)).record.secret_value).toBe('from alice');
    const n = await conceal(s, V2, { secret: 'burn' }, ALICE);
    expect(ok(await post(s, `${V2}/receipt/${n.receiptKey}/burn`, { continue: true })).record.state).toBe('burned');
  });

  it('/version needs credentials; /status does not', async () => {
    expectError(await get(s, `${V2}/version`), 401, NOT_AUTHORIZED);
    expect(ok(await get(s, `${V2}/version`, ALICE)).version).toEqual(VERSION.split('.'));
    expect(ok(await get(s, `${V2}/status`)).status).toBe('nominal');
  });
});

describe.each(STORE_KINDS)('v2 recent: the last 30 days, at most RECENT_LIMIT (%s store)', (kind) => {
  let clockMs = Date.now();
  const s = serve(kind, { RECENT_LIMIT: '2' }, { now: () => clockMs });

  it('at most RECENT_LIMIT receipts, the newest', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      clockMs += 1_000;
      keys.push((await conceal(s, V2, { secret: `n${i}` }, BOB)).receiptKey);
    }
    const listed = ok(await get(s, `${V2}/receipt/recent`, BOB));
    expect(listed.records.map((r: { identifier: string }) => r.identifier)).toEqual([keys[2], keys[1]]);
    expect(listed.count).toBe(2);
  });

  it('a receipt created 31 days ago is no longer listed, though it still exists', async () => {
    const old = await conceal(s, V2, { secret: 'old', ttl: 2592000 }, ALICE); // the receipt lives 60 days
    clockMs += 29 * 86_400_000;
    const young = await conceal(s, V2, { secret: 'young', ttl: 2592000 }, ALICE);
    clockMs += 2 * 86_400_000;
    const listed = ok(await get(s, `${V2}/receipt/recent`, ALICE));
    expect(listed.records.map((r: { identifier: string }) => r.identifier)).toEqual([young.receiptKey]);
    expect(listed.count).toBe(1);
    expect(ok(await get(s, `${V2}/receipt/${old.receiptKey}`, ALICE)).record.identifier).toBe(old.receiptKey);
  });
});

describe.each(STORE_KINDS)('v2 route rate limits (%s store)', (kind) => {
  const s = serve(kind, { RATE_LIMIT_CREATE: '2', RATE_LIMIT_REVEAL: '4', RATE_LIMIT_RECEIPT: '4', RATE_LIMIT_BURN: '1' });
  const LIMITED = { error: 'Rate limit exceeded. Please try again later.', error_type: 'LimitExceeded', retry_after: expect.any(Number) };
  const expectLimited = (reply: Awaited<ReturnType<typeof get>>) => {
    expectError(reply, 429, LIMITED);
    expect(Number.isInteger(reply.body.retry_after)).toBe(true);
    expect(reply.headers.get('retry-after')).toMatch(/^\d+$/);
  };

  it('each budget counts its own routes, on v2 and v3 alike; meta routes are not counted', async () => {
    // create: conceal and generate
    const a = await conceal(s, V2, { secret: 'a' });
    const b = await generate(s, `${V2}/guest`);
    expectLimited(await post(s, `${V3}/guest/secret/conceal`, { secret: { secret: 'c' } }));
    // reveal: show, status, batch status, reveal
    ok(await get(s, `${V2}/secret/${a.secretKey}`));
    ok(await get(s, `${V2}/secret/${a.secretKey}/status`));
    ok(await post(s, `${V2}/secret/status`, { identifiers: a.secretKey }));
    ok(await revealV2(s, V2, b.secretKey));
    expectLimited(await get(s, `${V3}/secret/${a.secretKey}/status`));
    // receipt: receipt views, recent, batch receipts
    ok(await get(s, `${V2}/receipt/${a.receiptKey}`));
    ok(await get(s, `${V2}/private/${a.receiptKey}`));
    ok(await get(s, `${V2}/receipt/recent`, ALICE));
    ok(await post(s, `${V3}/guest/receipts`, { identifiers: [a.receiptKey] }));
    expectLimited(await get(s, `${V3}/guest/receipt/${a.receiptKey}`));
    // burn
    ok(await post(s, `${V2}/receipt/${a.receiptKey}/burn`, { continue: true }));
    expectLimited(await post(s, `${V2}/guest/receipt/${a.receiptKey}/burn`, { continue: true }));
    for (let i = 0; i < 5; i++) {
      ok(await get(s, `${V2}/status`));
      ok(await get(s, `${V3}/version`));
    }
  });
});

describe("v2 with the store unreachable → 503 We'll be back shortly!", () => {
  // A Redis store whose server is not there: nothing listens on the port.
  const s = serve('redis', {}, async () => ({
    store: new RedisStore(createRedisClient(`redis://127.0.0.1:${await freePort()}`), 'down:'),
  }));

  it('every store-backed route, anonymous or not, answers 503 with Retry-After', async () => {
    const replies = [
      await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x' } }),
      await post(s, `${V2}/guest/secret/generate`, { secret: {} }),
      await get(s, `${V2}/secret/${UNKNOWN_KEY}`),
      await revealV2(s, V2, UNKNOWN_KEY),
      await get(s, `${V2}/secret/${UNKNOWN_KEY}/status`),
      await get(s, `${V2}/receipt/${UNKNOWN_KEY}`),
      await post(s, `${V2}/receipt/${UNKNOWN_KEY}/burn`, { continue: true }),
      await get(s, `${V2}/receipt/recent`, ALICE),
      await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x' } }, ALICE),
    ];
    for (const r of replies) {
      expectError(r, 503, STORE_DOWN);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });
});

describe('v2: an unexpected failure → 500 ServerError without internals', () => {
  // Every secret-store call fails with an error of our own making (not the store being down).
  const s = serve('memory', {}, async () => {
    const store = new MemoryStore();
    const failing = new Proxy(store.secrets, {
      get: (target, prop, receiver) => {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return () => {
          throw new Error('boom at /internal/secret-store.ts:42'); // thrown, not rejected: some calls are synchronous
        };
      },
    });
    Object.defineProperty(store, 'secrets', { value: failing });
    return { store };
  });

  it('answers the generic body and leaks nothing', async () => {
    for (const r of [await post(s, `${V2}/secret/conceal`, { secret: { secret: 'x' } }), await revealV2(s, V2, UNKNOWN_KEY)]) {
      expectError(r, 500, { error: 'Internal Server Error', error_type: 'ServerError' });
      expect(r.text).not.toContain('boom');
      expect(r.text).not.toContain('internal');
    }
  });
});

describe.each(STORE_KINDS)('v2 expiry (%s store)', (kind) => {
  // Memory: the store and the service share a clock the test moves. Redis: TTLs run on real time, so the secret
  // lives 1 s (TTL_MIN=1) and the test polls, within a bound, until Redis has expired it.
  let clockMs = Date.now();
  const s = serve(kind, { TTL_MIN: '1' }, kind === 'memory' ? { now: () => clockMs } : {});

  const passTime = async (kind_: StoreKind, seconds: number, gone: () => Promise<boolean>, what: string) => {
    if (kind_ === 'memory') clockMs += seconds * 1000;
    await until(gone, kind_ === 'memory' ? 0 : (seconds + 5) * 1000, what);
  };

  it('after the TTL: receipt expired, the secret unknown; after 2 × TTL the receipt is gone', async () => {
    const ttl = kind === 'memory' ? 60 : 1;
    const m = await conceal(s, V2, { secret: 'short lived', ttl });
    await passTime(kind, ttl + 1, async () => ok(await get(s, `${V2}/secret/${m.secretKey}/status`)).record.state === 'unknown', 'secret expired');
    const view = ok(await get(s, `${V2}/receipt/${m.receiptKey}`));
    expect(view.record).toMatchObject({ state: 'expired', is_expired: true, is_destroyed: true, secret_state: null });
    expect(view.details.secret_realttl).toBeNull();
    expect(ok(await get(s, `${V1}/private/${m.receiptKey}`)).state).toBe('expired'); // the same name in v1 (§4)
    expectError(await revealV2(s, V2, m.secretKey), 404, UNKNOWN_SECRET);
    expectError(await get(s, `${V2}/secret/${m.secretKey}`), 404, UNKNOWN_SECRET);
    const burn = ok(await post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true }));
    expect([burn.success, burn.record.state]).toEqual([false, 'expired']);
    await passTime(kind, ttl + 1, async () => (await get(s, `${V2}/receipt/${m.receiptKey}`)).status === 404, 'receipt expired');
    expectError(await get(s, `${V2}/receipt/${m.receiptKey}`), 404, UNKNOWN_RECEIPT);
  });
});
