// The Onetime Secret v1 wire contract (the v1 contract of docs/api-v1.md, §1, §3), pinned through app.inject() on both
// stores. Read top to bottom: the route table (route × caller → status and body), routes, then the exact body of
// every route, then the receipt's state sequence.
// Parameters, auth and errors have their own files (params, auth, errors .test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic, makeApp, STORE_KINDS, type TestApp } from '../../support/app.js';
import {
  burn,
  burnedState,
  expectError,
  expectIntegerTimes,
  get,
  intBetween,
  KEY,
  ok,
  postForm,
  reveal,
  share,
  type Receipt,
} from '../wire.js';

const PUBLIC_URL = 'https://secrets.example.com'; // OTS_PUBLIC_URL in test/support/app.ts

/** Who calls: nobody in particular, an account by Basic, or Basic with a wrong token. */
const CALLERS = {
  anonymous: undefined,
  account: basic(ALICE),
  'wrong credentials': basic({ email: ALICE.email, token: 'not-the-token' }),
};
type Caller = keyof typeof CALLERS;
const NOT_AUTHORIZED = { message: 'Not authorized' };
const NOMINAL = { status: 'nominal', locale: 'en' };

/**
 * Every v1 route by every kind of caller: the status a modern API would use (v1 answers errors as HTTP 404 with it
 * in X-OTS-Intended-Status) and the body (exactly, for an error; the fields that tell callers apart, for a 200).
 * `:secret` and `:receipt` stand for a secret shared anonymously just for that row; rows run in order (the account's
 * recent list holds what its share and generate rows made).
 */
const ROUTE_TABLE: [route: string, caller: Caller, status: number, body: object][] = [
  ['GET /api/v1/status', 'anonymous', 200, NOMINAL],
  ['GET /api/v1/status', 'account', 200, NOMINAL],
  ['GET /api/v1/status', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['GET /api/v1/authcheck', 'anonymous', 401, NOT_AUTHORIZED],
  ['GET /api/v1/authcheck', 'account', 200, NOMINAL],
  ['GET /api/v1/authcheck', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['POST /api/v1/share', 'anonymous', 200, { custid: 'anon', state: 'new' }],
  ['POST /api/v1/share', 'account', 200, { custid: ALICE.email, state: 'new' }],
  ['POST /api/v1/share', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['POST /api/v1/generate', 'anonymous', 200, { custid: 'anon', value: expect.any(String) }],
  ['POST /api/v1/generate', 'account', 200, { custid: ALICE.email, value: expect.any(String) }],
  ['POST /api/v1/generate', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['POST /api/v1/secret/:secret', 'anonymous', 200, { value: 'table' }],
  ['POST /api/v1/secret/:secret', 'account', 200, { value: 'table' }],
  ['POST /api/v1/secret/:secret', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['GET /api/v1/private/recent', 'anonymous', 401, NOT_AUTHORIZED],
  ['GET /api/v1/private/recent', 'account', 200, [{ custid: ALICE.email }, { custid: ALICE.email }]],
  ['GET /api/v1/private/recent', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['GET /api/v1/private/:receipt', 'anonymous', 200, { custid: 'anon', state: 'new' }],
  ['GET /api/v1/private/:receipt', 'account', 200, { custid: 'anon', state: 'new' }],
  ['GET /api/v1/private/:receipt', 'wrong credentials', 401, NOT_AUTHORIZED],
  ['POST /api/v1/private/:receipt/burn', 'anonymous', 200, { state: { state: 'burned' } }],
  ['POST /api/v1/private/:receipt/burn', 'account', 200, { state: { state: 'burned' } }],
  ['POST /api/v1/private/:receipt/burn', 'wrong credentials', 401, NOT_AUTHORIZED],
];

describe.each(STORE_KINDS)('v1 route table (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind);
  });
  afterAll(() => t.close());

  it.each(ROUTE_TABLE)('%s by %s → %i', async (route, caller, status, body) => {
    const [method, template] = route.split(' ') as ['GET' | 'POST', string];
    const made = template.includes(':') ? await share(t, { secret: 'table' }) : undefined;
    const url = template.replace(':secret', made?.secret_key ?? '').replace(':receipt', made?.metadata_key ?? '');
    const authorization = CALLERS[caller];
    const res = await t.app.inject({
      method,
      url,
      headers: { ...(authorization ? { authorization } : {}), ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(method === 'POST' ? { payload: 'secret=table' } : {}),
    });
    if (status === 200) expect(ok(res)).toMatchObject(body);
    else expectError(res, (body as { message: string }).message, status);
  });
});

describe.each(STORE_KINDS)('v1 wire contract (%s store)', (kind) => {
  let t: TestApp;
  // The service's clock, moved forward where ordering by time matters; Redis TTLs still run on real time.
  let clockMs = Date.now();
  const nowSeconds = () => Math.floor(clockMs / 1000);

  beforeAll(async () => {
    t = await makeApp(kind, {}, { now: () => clockMs });
  });
  afterAll(() => t.close());

  describe('§1 routes', () => {
    it('POST /share and its alias /create both store a secret', async () => {
      for (const path of ['/api/v1/share', '/api/v1/create']) {
        const receipt = ok<Receipt>(await postForm(t, path, { secret: `via ${path}` }));
        expect(ok(await reveal(t, receipt.secret_key!)).value).toBe(`via ${path}`);
      }
    });

    it('POST /generate stores a server-made secret', async () => {
      const receipt = ok<Receipt>(await postForm(t, '/api/v1/generate'));
      expect(ok(await reveal(t, receipt.secret_key!)).value).toBe(receipt.value);
    });

    it('POST /secret/:key reveals; GET /secret/:key is not routed', async () => {
      const { secret_key } = await share(t, { secret: 'post only' });
      expectError(await get(t, `/api/v1/secret/${secret_key}`), 'Not Found', 404);
      // The GET did not consume it.
      expect(ok(await reveal(t, secret_key!)).value).toBe('post only');
    });

    it('receipts answer under /private, /metadata and /receipt, by GET and by POST', async () => {
      const { metadata_key } = await share(t, { secret: 'aliases' });
      for (const base of ['/private', '/metadata', '/receipt']) {
        const url = `/api/v1${base}/${metadata_key}`;
        expect(ok<Receipt>(await get(t, url)).metadata_key).toBe(metadata_key);
        expect(ok<Receipt>(await postForm(t, url)).metadata_key).toBe(metadata_key);
      }
    });

    it('burn answers under /private/:k/burn, /metadata/:k/burn and /receipt/:k/burn', async () => {
      for (const base of ['/private', '/metadata', '/receipt']) {
        const { metadata_key } = await share(t, { secret: `burn via ${base}` });
        expect(burnedState(await postForm(t, `/api/v1${base}/${metadata_key}/burn`))).toBe('burned');
      }
    });

    it('GET /private/recent and its aliases are the list, never a receipt keyed "recent"', async () => {
      for (const base of ['/private', '/metadata', '/receipt']) {
        expect(Array.isArray(ok(await get(t, `/api/v1${base}/recent`, ALICE)))).toBe(true);
        // Without an account it is refused as the list, not looked up as key "recent" (which would be Unknown secret).
        expectError(await get(t, `/api/v1${base}/recent`), 'Not authorized', 401);
      }
    });

    it('an unrouted API path answers Not Found in the error shape', async () => {
      expectError(await get(t, '/api/v1/nope'), 'Not Found', 404);
      expectError(await postForm(t, '/api/v1/share/extra'), 'Not Found', 404);
      // A version the server does not speak is v1's unrouted path (v2 and v3 answer in their own shape).
      expectError(await postForm(t, '/api/v9/share', { secret: 'x' }), 'Not Found', 404);
    });
  });

  describe('§3.2 /share', () => {
    it('answers the receipt: state new, secret_ttl = ttl, metadata_ttl = 2 × ttl, integers throughout', async () => {
      const receipt = await share(t, { secret: 'hello', ttl: '3600' });
      expect(receipt).toStrictEqual({
        custid: 'anon',
        metadata_key: KEY,
        secret_key: KEY,
        ttl: 3600,
        metadata_ttl: 7200,
        secret_ttl: 3600,
        state: 'new',
        created: nowSeconds(),
        updated: nowSeconds(),
        recipient: [],
        share_domain: '',
        passphrase_required: false,
      });
      expect(receipt.metadata_key).not.toBe(receipt.secret_key);
      expectIntegerTimes(receipt);
    });

    it('reports passphrase_required true for a protected secret, and the account as custid', async () => {
      const receipt = await share(t, { secret: 'hello', passphrase: 'open sesame' }, ALICE);
      expect(receipt.passphrase_required).toBe(true);
      expect(receipt.custid).toBe(ALICE.email);
    });

    it('keeps a valid share_domain and never answers null for it', async () => {
      expect((await share(t, { secret: 'x', share_domain: 'example.org' })).share_domain).toBe('example.org');
      expect((await share(t, { secret: 'x', share_domain: 'not a domain' })).share_domain).toBe('');
    });
  });

  describe('§3.2 /generate', () => {
    it('answers the same receipt plus the generated value', async () => {
      const receipt = ok<Receipt>(await postForm(t, '/api/v1/generate', { ttl: '600' }));
      expect(receipt).toStrictEqual({
        custid: 'anon',
        metadata_key: KEY,
        secret_key: KEY,
        ttl: 600,
        metadata_ttl: 1200,
        secret_ttl: 600,
        state: 'new',
        created: nowSeconds(),
        updated: nowSeconds(),
        recipient: [],
        share_domain: '',
        passphrase_required: false,
        value: expect.stringMatching(/^\S{12}$/),
      });
      expectIntegerTimes(receipt);
    });
  });

  describe('§3.2 /secret/:key', () => {
    it('answers {value, secret_key, share_domain} with the public origin, then forgets the secret', async () => {
      const { secret_key } = await share(t, { secret: 'the value' });
      expect(ok(await reveal(t, secret_key!))).toStrictEqual({
        value: 'the value',
        secret_key,
        share_domain: PUBLIC_URL,
      });
      expectError(await reveal(t, secret_key!), 'Unknown secret', 404, { secret_key: secret_key! });
    });
  });

  describe('§3.2 /private/:key and the receipt states', () => {
    const receiptOf = async (metadataKey: string) => ok<Receipt>(await get(t, `/api/v1/private/${metadataKey}`));

    it('goes new → viewed (second lookup) → received', async () => {
      const created = await share(t, { secret: 'states', ttl: '3600' });
      const first = await receiptOf(created.metadata_key);
      expect(first).toStrictEqual({
        ...created,
        metadata_ttl: intBetween(7198, 7200),
        secret_ttl: intBetween(3598, 3600),
        state: 'new',
      });
      expectIntegerTimes(first);
      expect((await receiptOf(created.metadata_key)).state).toBe('viewed');

      clockMs += 5_000;
      ok(await reveal(t, created.secret_key!));
      const received = await receiptOf(created.metadata_key);
      // received: no secret_key, no secret_ttl, no passphrase_required; `received` says when it was read.
      expect(received).toStrictEqual({
        custid: 'anon',
        metadata_key: created.metadata_key,
        ttl: 3600,
        metadata_ttl: intBetween(7190, 7200), // the memory store runs on the service clock, 5 s on
        state: 'received',
        created: created.created,
        updated: nowSeconds(),
        received: nowSeconds(),
        recipient: [],
        share_domain: '',
      });
      expectIntegerTimes(received);
    });

    it('never reveals the secret value', async () => {
      const created = await share(t, { secret: 'not in the receipt' });
      expect((await get(t, `/api/v1/private/${created.metadata_key}`)).body).not.toContain('not in the receipt');
    });

    it('reports a generated secret as viewed on its first lookup (the creator has seen the value)', async () => {
      const generated = ok<Receipt>(await postForm(t, '/api/v1/generate'));
      expect((await receiptOf(generated.metadata_key)).state).toBe('viewed');
    });

    it('reports a burned secret as burned, with secret_key "" and secret_ttl null', async () => {
      const created = await share(t, { secret: 'to burn' });
      ok(await burn(t, created.metadata_key));
      const burned = await receiptOf(created.metadata_key);
      expect(burned).toMatchObject({ state: 'burned', secret_key: '', secret_ttl: null });
      expect(burned).not.toHaveProperty('passphrase_required');
    });
  });

  describe('§3.2 /private/:key/burn', () => {
    it('answers {state: <burned receipt>, secret_shortkey} and destroys the secret', async () => {
      const created = await share(t, { secret: 'burn me', ttl: '3600' });
      clockMs += 2_000;
      const body = ok(await burn(t, created.metadata_key));
      expect(body).toStrictEqual({
        state: {
          custid: 'anon',
          metadata_key: created.metadata_key,
          secret_key: '',
          ttl: 3600,
          metadata_ttl: intBetween(7198, 7200),
          secret_ttl: null,
          state: 'burned',
          created: created.created,
          updated: nowSeconds(),
          recipient: [],
          share_domain: '',
        },
        secret_shortkey: created.secret_key!.slice(0, 6),
      });
      expectIntegerTimes(body.state as Receipt);
      expectError(await reveal(t, created.secret_key!), 'Unknown secret', 404, { secret_key: created.secret_key! });
    });
  });

  describe('§3.2 /private/recent', () => {
    it("lists the account's receipts newest first, no secret_key or passphrase_required, secret_ttl null", async () => {
      const keys: string[] = [];
      for (const secret of ['one', 'two', 'three']) {
        clockMs += 1_000;
        keys.push((await share(t, { secret, ttl: '3600', passphrase: 'pw' }, ALICE)).metadata_key);
      }
      const recent = ok<Receipt[]>(await get(t, '/api/v1/private/recent', ALICE));
      expect(recent.slice(0, 3).map((r) => r.metadata_key)).toEqual(keys.reverse());
      expect(recent[0]).toStrictEqual({
        custid: ALICE.email,
        metadata_key: keys[0],
        ttl: 3600,
        metadata_ttl: intBetween(7198, 7200),
        secret_ttl: null,
        state: 'new',
        created: nowSeconds(),
        updated: nowSeconds(),
        recipient: [],
        share_domain: '',
      });
      for (const r of recent) expectIntegerTimes(r);
    });

    it('lists live receipts: every one still kept, whatever its state (received and burned included)', async () => {
      clockMs += 1_000;
      const read = await share(t, { secret: 'to be read' }, ALICE);
      ok(await reveal(t, read.secret_key!));
      clockMs += 1_000;
      const burnt = await share(t, { secret: 'to be burned' }, ALICE);
      ok(await burn(t, burnt.metadata_key, {}, ALICE));
      const recent = ok<Receipt[]>(await get(t, '/api/v1/private/recent', ALICE));
      expect(recent.slice(0, 2).map((r) => [r.metadata_key, r.state])).toEqual([
        [burnt.metadata_key, 'burned'],
        [read.metadata_key, 'received'],
      ]);
    });

    it('keeps newest first among receipts created within the same second', async () => {
      const keys: string[] = [];
      for (let i = 0; i < 6; i++) keys.push((await share(t, { secret: `same second ${i}` }, ALICE)).metadata_key);
      const recent = ok<Receipt[]>(await get(t, '/api/v1/private/recent', ALICE));
      expect(recent.slice(0, 6).map((r) => r.metadata_key)).toEqual(keys.reverse());
    });
  });
});

describe.each(STORE_KINDS)('v1 wire contract: RECENT_LIMIT (%s store)', (kind) => {
  let t: TestApp;
  let clockMs = Date.now();
  beforeAll(async () => {
    t = await makeApp(kind, { RECENT_LIMIT: '3' }, { now: () => clockMs });
  });
  afterAll(() => t.close());

  it('returns at most RECENT_LIMIT receipts, the newest ones', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      clockMs += 1_000;
      keys.push((await share(t, { secret: `n${i}` }, ALICE)).metadata_key);
    }
    const recent = ok<Receipt[]>(await get(t, '/api/v1/private/recent', ALICE));
    expect(recent.map((r) => r.metadata_key)).toEqual(keys.slice(2).reverse());
  });
});
