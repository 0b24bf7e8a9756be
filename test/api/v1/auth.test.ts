// Authentication and who may do what (the v1 contract of docs/api-v1.md, §6): anonymous callers, Basic credentials, failing
// headers (never a silent fallback to anon), who may see a receipt (RECEIPTS_OWNER_ONLY), private instances, recent per account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, basic, makeApp, STORE_KINDS, type TestApp } from '../../support/app.js';
import {
  burn,
  burnedState,
  expectError,
  get,
  ok,
  postForm,
  reveal,
  share,
  type Credentials,
  type Receipt,
} from '../wire.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const EMPTY_BASIC = 'Basic Og=='; // ":" — what the JS and Go clients send when used anonymously

/** Authorization headers that must fail the request, whatever the route. */
const FAILING: Record<string, string> = {
  'a wrong token': basic({ email: ALICE.email, token: 'not-alice-token-000' }),
  'an unknown email': basic({ email: 'nobody@example.com', token: ALICE.token }),
  'an email with an empty token': `Basic ${b64(`${ALICE.email}:`)}`,
  'an empty email with a token': `Basic ${b64(`:${ALICE.token}`)}`,
  'Basic without a colon': `Basic ${b64(ALICE.email)}`,
  'Basic with nothing after it': 'Basic',
  'Basic with garbage': 'Basic !!!not-base64!!!',
  'a garbage header': 'garbage',
  'Bearer x': 'Bearer x',
};

describe.each(STORE_KINDS)('authentication (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind);
  });
  afterAll(() => t.close());

  /** A request with exactly this Authorization header; a payload is sent urlencoded. */
  const withHeader = (method: 'GET' | 'POST', url: string, authorization: string, payload?: string) =>
    t.app.inject({
      method,
      url,
      headers: { authorization, ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(payload ? { payload } : {}),
    });

  it('no Authorization header is anonymous: custid "anon"', async () => {
    expect((await share(t, { secret: 'x' })).custid).toBe('anon');
  });

  it('empty Basic credentials (Basic Og==) are anonymous too, a deliberate difference from upstream', async () => {
    expect(ok(await withHeader('GET', '/api/v1/status', EMPTY_BASIC))).toEqual({ status: 'nominal', locale: 'en' });
    const receipt = ok<Receipt>(await withHeader('POST', '/api/v1/share', EMPTY_BASIC, 'secret=og'));
    expect(receipt.custid).toBe('anon');
    expect(ok(await withHeader('POST', `/api/v1/secret/${receipt.secret_key}`, EMPTY_BASIC)).value).toBe('og');
  });

  it('valid credentials make the account the creator; the email is matched case-insensitively', async () => {
    expect((await share(t, { secret: 'x' }, ALICE)).custid).toBe(ALICE.email);
    const shouting = { email: ALICE.email.toUpperCase(), token: ALICE.token };
    expect((await share(t, { secret: 'x' }, shouting)).custid).toBe(ALICE.email);
  });

  for (const [name, header] of Object.entries(FAILING)) {
    it(`${name} is Not authorized on every route, even /status (no fallback to anon)`, async () => {
      const { secret_key, metadata_key } = await share(t, { secret: 'still here' });
      expectError(await withHeader('GET', '/api/v1/status', header), 'Not authorized', 401);
      expectError(await withHeader('POST', '/api/v1/share', header, 'secret=x'), 'Not authorized', 401);
      expectError(await withHeader('POST', `/api/v1/secret/${secret_key}`, header), 'Not authorized', 401);
      expectError(await withHeader('GET', `/api/v1/private/${metadata_key}`, header), 'Not authorized', 401);
      // The refused reveal consumed nothing.
      expect(ok(await reveal(t, secret_key!)).value).toBe('still here');
    });
  }

  describe("receipts follow upstream's rule by default: the metadata key is the capability", () => {
    it("lets any holder of the metadata key view and burn an account's receipt, without credentials too", async () => {
      const first = await share(t, { secret: 'x' }, ALICE);
      for (const who of [undefined, BOB, ALICE]) {
        expect(ok<Receipt>(await get(t, `/api/v1/private/${first.metadata_key}`, who)).custid).toBe(ALICE.email);
      }
      const second = await share(t, { secret: 'y' }, ALICE);
      expect(burnedState(await burn(t, second.metadata_key))).toBe('burned');
    });

    it('answers an account secret\'s state and key to an anonymous caller (what ots.bash does)', async () => {
      const { metadata_key, secret_key } = await share(t, { secret: 'bash' }, ALICE);
      const seen = ok<Receipt>(await postForm(t, `/api/v1/private/${metadata_key}`));
      expect(seen).toMatchObject({ state: 'new', secret_key });
      expect(ok<Receipt>(await get(t, `/api/v1/metadata/${metadata_key}`)).state).toBe('viewed');
    });
  });

  describe('/private/recent', () => {
    it('needs an account', async () => {
      expectError(await get(t, '/api/v1/private/recent'), 'Not authorized', 401);
      expectError(await withHeader('GET', '/api/v1/private/recent', EMPTY_BASIC), 'Not authorized', 401);
    });

    it("shows only the caller's own receipts", async () => {
      const alices = (await share(t, { secret: 'a' }, ALICE)).metadata_key;
      const bobs = (await share(t, { secret: 'b' }, BOB)).metadata_key;
      const keysOf = async (who: Credentials) =>
        ok<Receipt[]>(await get(t, '/api/v1/private/recent', who)).map((r) => r.metadata_key);
      const aliceSees = await keysOf(ALICE);
      const bobSees = await keysOf(BOB);
      expect(aliceSees).toContain(alices);
      expect(aliceSees).not.toContain(bobs);
      expect(bobSees).toContain(bobs);
      expect(bobSees).not.toContain(alices);
    });
  });
});

describe.each(STORE_KINDS)('RECEIPTS_OWNER_ONLY=true (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { RECEIPTS_OWNER_ONLY: 'true' });
  });
  afterAll(() => t.close());

  it('another account and an anonymous caller get Not authorized for view and burn; the owner does not', async () => {
    const { metadata_key, secret_key } = await share(t, { secret: "alice's" }, ALICE);
    for (const who of [BOB, undefined]) {
      expectError(await get(t, `/api/v1/private/${metadata_key}`, who), 'Not authorized', 401);
      expectError(await postForm(t, `/api/v1/receipt/${metadata_key}/burn`, {}, who), 'Not authorized', 401);
    }
    expect(ok<Receipt>(await get(t, `/api/v1/private/${metadata_key}`, ALICE)).state).toBe('new');
    // Nobody else burned it: the secret is still there for its recipient.
    expect(ok(await reveal(t, secret_key!)).value).toBe("alice's");
  });

  it('anonymous receipts are open to any holder of the metadata key, with or without an account', async () => {
    const { metadata_key } = await share(t, { secret: 'anon' });
    for (const who of [undefined, ALICE, BOB]) {
      expect(ok<Receipt>(await get(t, `/api/v1/private/${metadata_key}`, who)).metadata_key).toBe(metadata_key);
    }
    expect(burnedState(await burn(t, metadata_key, {}, BOB))).toBe('burned');
  });
});

describe.each(STORE_KINDS)('ALLOW_ANONYMOUS=false (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { ALLOW_ANONYMOUS: 'false' });
  });
  afterAll(() => t.close());

  it('forbids anonymous share and generate, also with empty Basic credentials', async () => {
    expectError(await postForm(t, '/api/v1/share', { secret: 'x' }), 'Not authorized', 401);
    expectError(await postForm(t, '/api/v1/create', { secret: 'x' }), 'Not authorized', 401);
    expectError(await postForm(t, '/api/v1/generate'), 'Not authorized', 401);
    // Even without a secret, the refusal is about who is asking.
    expectError(await postForm(t, '/api/v1/share'), 'Not authorized', 401);
    const og = { method: 'POST', url: '/api/v1/share?secret=x', headers: { authorization: EMPTY_BASIC } } as const;
    expectError(await t.app.inject(og), 'Not authorized', 401);
  });

  it('lets accounts create, and anyone reveal', async () => {
    const { secret_key } = await share(t, { secret: 'for anyone' }, ALICE);
    expect(ok(await reveal(t, secret_key!)).value).toBe('for anyone');
    const generated = ok<Receipt>(await postForm(t, '/api/v1/generate', {}, BOB));
    expect(ok(await reveal(t, generated.secret_key!)).value).toBe(generated.value);
  });

  it('still answers /status anonymously', async () => {
    expect(ok(await get(t, '/api/v1/status'))).toEqual({ status: 'nominal', locale: 'en' });
  });
});
