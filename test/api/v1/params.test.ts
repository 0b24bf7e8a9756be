// Request parameters (the v1 contract of docs/api-v1.md, §2) and the rules on them (§4): where parameters come from, how they
// merge, empty values, byte-exact secrets, TTL clamping, size and passphrase limits, generate length, recipient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic, makeApp, STORE_KINDS, type TestApp } from '../../support/app.js';
import {
  expectError,
  ok,
  postForm,
  postJson,
  postMultipart,
  postQuery,
  reveal,
  share,
  type Receipt,
  type Response,
} from '../wire.js';

const TOO_LARGE = 'Secret value exceeds the maximum size of 10000 bytes';
const DAY = 86_400;

describe.each(STORE_KINDS)('request parameters (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind);
  });
  afterAll(() => t.close());

  const revealValue = async (res: Response, passphrase?: string): Promise<string> => {
    const { secret_key } = ok<Receipt>(res);
    return ok<{ value: string }>(await reveal(t, secret_key!, passphrase ? { passphrase } : {})).value;
  };

  describe('sources: query string, urlencoded, multipart, JSON', () => {
    it('reads everything from the query string of a POST with no body and no Content-Type', async () => {
      const res = await postQuery(t, '/api/v1/share', { secret: 'from the query', ttl: '3600', passphrase: 'pw' });
      expect(ok<Receipt>(res)).toMatchObject({ ttl: 3600, passphrase_required: true });
      const { secret_key } = res.json<Receipt>();
      expect(ok(await postQuery(t, `/api/v1/secret/${secret_key}`, { passphrase: 'pw' })).value).toBe('from the query');
    });

    it('reads an application/x-www-form-urlencoded body', async () => {
      const res = await postForm(t, '/api/v1/share', { secret: 'from a form', ttl: '3600' });
      expect(ok<Receipt>(res).ttl).toBe(3600);
      expect(await revealValue(res)).toBe('from a form');
    });

    it('reads the fields of a multipart/form-data body', async () => {
      const fields: [string, string][] = [['secret', 'from multipart'], ['ttl', '3600'], ['passphrase', 'pw']];
      const res = await postMultipart(t, '/api/v1/share', fields);
      expect(ok<Receipt>(res)).toMatchObject({ ttl: 3600, passphrase_required: true });
      const { secret_key } = res.json<Receipt>();
      const revealed = await postMultipart(t, `/api/v1/secret/${secret_key}`, [['passphrase', 'pw']]);
      expect(ok(revealed).value).toBe('from multipart');
    });

    it('reads a JSON body, numbers included (ttl: 3600)', async () => {
      const res = await postJson(t, '/api/v1/share', { secret: 'from JSON', ttl: 3600, passphrase: 'pw' });
      expect(ok<Receipt>(res)).toMatchObject({ ttl: 3600, passphrase_required: true });
      const { secret_key } = res.json<Receipt>();
      expect(ok(await postJson(t, `/api/v1/secret/${secret_key}`, { passphrase: 'pw' })).value).toBe('from JSON');
      expect(ok<Receipt>(await postJson(t, '/api/v1/generate', { length: 20 })).value).toHaveLength(20);
    });

    it('reads the query string when a JSON Content-Type comes with an empty body', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/share?secret=query%20with%20json%20header',
        headers: { 'content-type': 'application/json' },
      });
      expect(await revealValue(res)).toBe('query with json header');
    });

    it('merges query and body, the body winning on conflict', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/share?secret=from-query&ttl=3600&passphrase=pw',
        payload: 'secret=from-body&ttl=7200',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      // ttl from the body, passphrase from the query (only there), secret from the body.
      expect(ok<Receipt>(res)).toMatchObject({ ttl: 7200, passphrase_required: true });
      expect(await revealValue(res, 'pw')).toBe('from-body');
    });
  });

  describe('empty values mean absent', () => {
    it('passphrase= gives an unprotected secret', async () => {
      const res = await postForm(t, '/api/v1/share', { secret: 'no passphrase', passphrase: '' });
      expect(ok<Receipt>(res).passphrase_required).toBe(false);
      expect(await revealValue(res)).toBe('no passphrase');
    });

    it('ttl= gives the default TTL', async () => {
      expect((await share(t, { secret: 'x', ttl: '' })).ttl).toBe(604_800);
    });

    it('recipient= from an anonymous caller is no recipient (not the account-required error)', async () => {
      expect((await share(t, { secret: 'x', recipient: '' })).recipient).toEqual([]);
    });

    it('empty passphrase on reveal is like none', async () => {
      const { secret_key } = await share(t, { secret: 'x' });
      expect(ok(await reveal(t, secret_key!, { passphrase: '' })).value).toBe('x');
    });

    it('secret= is nothing to share', async () => {
      expectError(await postForm(t, '/api/v1/share', { secret: '' }), 'You did not provide anything to share', 400);
    });
  });

  describe('byte-exact secrets', () => {
    const values = {
      'a trailing newline': 'line\n',
      'CRLF line endings': 'one\r\ntwo\r\n',
      emoji: '🔐 clé 秘密 👩‍👩‍👧',
      'leading and trailing spaces': '  padded  ',
      'only whitespace': ' \t\n ',
      'JSON-looking text': '{"a": [1, "b"]}',
      'plus, ampersand, equals, percent': 'a+b&c=d%20e',
    };
    for (const [name, value] of Object.entries(values)) {
      it(`reveals ${name} identically, whichever way it was sent`, async () => {
        expect(await revealValue(await postForm(t, '/api/v1/share', { secret: value }))).toBe(value);
        expect(await revealValue(await postJson(t, '/api/v1/share', { secret: value }))).toBe(value);
        expect(await revealValue(await postQuery(t, '/api/v1/share', { secret: value }))).toBe(value);
        expect(await revealValue(await postMultipart(t, '/api/v1/share', [['secret', value]]))).toBe(value);
      });
    }
  });

  describe('recipient', () => {
    it('needs an account', async () => {
      const res = await postForm(t, '/api/v1/share', { secret: 'x', recipient: 'john@mail.org' });
      expectError(res, 'An account is required to send emails.', 403);
    });

    it('is kept only obfuscated for an account, from recipient or recipient[] (first one used)', async () => {
      expect((await share(t, { secret: 'x', recipient: 'john@mail.org' }, ALICE)).recipient).toEqual([
        'jo*****@m*****.org',
      ]);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/share',
        payload: 'secret=x&recipient[]=john@mail.org&recipient[]=mary@other.net',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(ALICE) },
      });
      expect(ok<Receipt>(res).recipient).toEqual(['jo*****@m*****.org']);
      expect(res.body).not.toContain('john@mail.org');
    });
  });
});

describe.each(STORE_KINDS)('TTL rules (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind);
  });
  afterAll(() => t.close());

  const ttlFor = async (ttl: string | undefined, as?: typeof ALICE) =>
    (await share(t, ttl === undefined ? { secret: 'x' } : { secret: 'x', ttl }, as)).ttl;

  it('defaults to 604800 (7 days)', async () => {
    expect(await ttlFor(undefined)).toBe(604_800);
    expect(await ttlFor(undefined, ALICE)).toBe(604_800);
  });

  it('raises anything below 60 to 60, for everyone', async () => {
    expect(await ttlFor('1')).toBe(60);
    expect(await ttlFor('0')).toBe(60);
    expect(await ttlFor('59', ALICE)).toBe(60);
  });

  it('lowers anything above 7 days to 7 days for anonymous callers', async () => {
    expect(await ttlFor(String(30 * DAY))).toBe(7 * DAY);
    expect(await ttlFor('99999999999999999999')).toBe(7 * DAY);
  });

  it('allows accounts up to 30 days', async () => {
    expect(await ttlFor(String(14 * DAY), ALICE)).toBe(14 * DAY);
    expect(await ttlFor(String(365 * DAY), ALICE)).toBe(30 * DAY);
  });

  it('parses leading digits like Ruby to_i: abc → 0 → 60, 3600xyz → 3600, -5 → 60', async () => {
    expect(await ttlFor('abc')).toBe(60);
    expect(await ttlFor('3600xyz')).toBe(3600);
    expect(await ttlFor('-5')).toBe(60);
    expect(await ttlFor('3600.9')).toBe(3600);
  });

  it('stores the receipt for twice the clamped TTL', async () => {
    const receipt = await share(t, { secret: 'x', ttl: '10' });
    expect(receipt).toMatchObject({ ttl: 60, secret_ttl: 60, metadata_ttl: 120 });
  });
});

describe.each(STORE_KINDS)('size, passphrase and generate limits (%s store)', (kind) => {
  let t: TestApp;
  let strict: TestApp; // PASSPHRASE_MIN_LENGTH=8
  beforeAll(async () => {
    t = await makeApp(kind);
    strict = await makeApp(kind, { PASSPHRASE_MIN_LENGTH: '8' });
  });
  afterAll(async () => {
    await t.close();
    await strict.close();
  });

  describe('secret size (MAX_SECRET_BYTES = 10000, counted in UTF-8 bytes)', () => {
    it('accepts exactly 10000 bytes and refuses 10001 with the exact message', async () => {
      const max = 'a'.repeat(10_000);
      const { secret_key } = await share(t, { secret: max });
      expect(ok(await reveal(t, secret_key!)).value).toBe(max);
      expectError(await postForm(t, '/api/v1/share', { secret: `${max}a` }), TOO_LARGE, 413);
    });

    it('counts multibyte characters as bytes', async () => {
      ok(await postForm(t, '/api/v1/share', { secret: 'é'.repeat(5_000) })); // 10000 bytes
      ok(await postJson(t, '/api/v1/share', { secret: '🔐'.repeat(2_500) })); // 10000 bytes
      expectError(await postForm(t, '/api/v1/share', { secret: `${'é'.repeat(5_000)}a` }), TOO_LARGE, 413);
      // 5001 characters, far below 10000, but 10002 bytes.
      expectError(await postJson(t, '/api/v1/share', { secret: '€'.repeat(3_334) }), TOO_LARGE, 413);
    });

    it('applies the limit to every body type', async () => {
      const over = 'a'.repeat(10_001);
      expectError(await postJson(t, '/api/v1/share', { secret: over }), TOO_LARGE, 413);
      expectError(await postMultipart(t, '/api/v1/share', [['secret', over]]), TOO_LARGE, 413);
      expectError(await postQuery(t, '/api/v1/share', { secret: over }), TOO_LARGE, 413);
    });

    it('refuses a body far larger (1 MB) in the contract shape, whatever its type', async () => {
      const huge = 'a'.repeat(1_000_000);
      expectError(await postForm(t, '/api/v1/share', { secret: huge }), TOO_LARGE, 413);
      expectError(await postJson(t, '/api/v1/share', { secret: huge }), TOO_LARGE, 413);
      expectError(await postMultipart(t, '/api/v1/share', [['secret', huge]]), TOO_LARGE, 413);
    });
  });

  describe('passphrase', () => {
    it('accepts 128 characters and refuses 129 with the exact message', async () => {
      const long = 'p'.repeat(128);
      const { secret_key } = await share(t, { secret: 'x', passphrase: long });
      expect(ok(await reveal(t, secret_key!, { passphrase: long })).value).toBe('x');
      expectError(
        await postForm(t, '/api/v1/share', { secret: 'x', passphrase: `${long}p` }),
        'Passphrase must be no more than 128 characters long',
        400,
      );
    });

    it('counts characters, not bytes (128 multibyte characters are fine)', async () => {
      ok(await postForm(t, '/api/v1/share', { secret: 'x', passphrase: '€'.repeat(128) }));
    });

    it('has no minimum by default', async () => {
      ok(await postForm(t, '/api/v1/share', { secret: 'x', passphrase: 'p' }));
    });

    it('enforces PASSPHRASE_MIN_LENGTH when a passphrase is given, and stays optional', async () => {
      expectError(
        await postForm(strict, '/api/v1/share', { secret: 'x', passphrase: 'seven77' }),
        'Passphrase must be at least 8 characters long',
        400,
      );
      ok(await postForm(strict, '/api/v1/share', { secret: 'x', passphrase: 'eight888' }));
      ok(await postForm(strict, '/api/v1/share', { secret: 'x' }));
      expectError(
        await postForm(strict, '/api/v1/generate', { passphrase: 'short' }),
        'Passphrase must be at least 8 characters long',
        400,
      );
    });
  });

  describe('generate length', () => {
    const generated = async (form: Record<string, string>) =>
      ok<Receipt>(await postForm(t, '/api/v1/generate', form)).value!;

    it('defaults to 12 and is capped at 128', async () => {
      expect(await generated({})).toHaveLength(12);
      expect(await generated({ length: '' })).toHaveLength(12);
      expect(await generated({ length: '40' })).toHaveLength(40);
      expect(await generated({ length: '128' })).toHaveLength(128);
      expect(await generated({ length: '500' })).toHaveLength(128);
    });

    it('uses letters, digits and symbols without the look-alikes i l o 1 I O 0', async () => {
      const value = await generated({ length: '128' });
      expect(value).not.toMatch(/[ilo1IO0]/);
      expect(value).toMatch(/[a-z]/);
      expect(value).toMatch(/[A-Z]/);
      expect(value).toMatch(/[2-9]/);
      expect(value).toMatch(/[^a-zA-Z0-9]/);
    });
  });
});
