// The web pages through inject(), on both stores: headers, the create → receipt → reveal flow, GET never
// consuming, passphrases, the guessing limit, burn, errors as pages, locales, and cross-site posts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/store/redis-store.js';
import { CONTENT_SECURITY_POLICY } from '../../src/web/headers.js';
import { ALICE, basic, BOB, makeApp, STORE_KINDS, type TestApp } from '../support/app.js';
import { mainText, postForm, receiptKeyFrom, revealedValue, shareKeyFrom } from './helpers.js';

const BOT_AGENTS = [
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'TelegramBot (like TwitterBot)',
  'Mozilla/5.0 (compatible; Microsoft Office/16.0; Outlook link scanner)',
];

describe.each(STORE_KINDS)('web pages (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { PASSPHRASE_MAX_ATTEMPTS: '3', MAX_SECRET_BYTES: '200' });
  });
  afterAll(() => t.close());

  /** Creates a secret through the form; returns the receipt and secret keys. */
  async function create(fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await postForm(t.app, '/', fields, headers);
    expect(res.statusCode).toBe(303);
    const receiptKey = receiptKeyFrom(res.headers.location);
    const receipt = await t.app.inject({ url: `/private/${receiptKey}`, headers });
    expect(receipt.statusCode).toBe(200);
    return { receiptKey, secretKey: shareKeyFrom(receipt.body), receiptPage: receipt.body };
  }

  describe('headers and assets', () => {
    it('every page carries the strict CSP, no referrer, noindex and no-store', async () => {
      const { receiptKey, secretKey } = await create({ secret: 'headers' });
      for (const url of ['/', `/secret/${secretKey}`, `/private/${receiptKey}`, '/no/such/page', `/secret/${'z'.repeat(31)}`]) {
        const res = await t.app.inject({ url });
        expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
        expect(res.headers['content-security-policy'], url).toBe(
          "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
        expect(res.headers['referrer-policy'], url).toBe('no-referrer');
        expect(res.headers['x-robots-tag'], url).toContain('noindex');
        expect(res.headers['cache-control'], url).toBe('no-store');
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['x-frame-options'], url).toBe('DENY');
      }
      expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    });

    it('pages have no inline script, no inline style and no external asset', async () => {
      const { receiptKey, secretKey } = await create({ secret: 'inline' });
      for (const url of ['/', `/secret/${secretKey}`, `/private/${receiptKey}`, '/nope']) {
        const { body } = await t.app.inject({ url });
        expect(body, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(body, url).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
        expect(body, url).not.toMatch(/(src|href)="(https?:)?\/\//);
      }
    });

    it('the stylesheet, script and icon are served by the server, typed and cacheable', async () => {
      const { body } = await t.app.inject({ url: '/' });
      const paths = [...body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
      expect(new Set(paths).size).toBe(3);
      const types: Record<string, string> = { css: 'text/css', js: 'text/javascript', svg: 'image/svg+xml' };
      for (const path of new Set(paths)) {
        const res = await t.app.inject({ url: path });
        expect(res.statusCode, path).toBe(200);
        expect(res.headers['content-type'], path).toContain(types[path.split('.').pop()!]!);
        expect(res.headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
        expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      }
      const css = await t.app.inject({ url: paths.find((p) => p.endsWith('.css'))! });
      expect(css.body).toContain('prefers-color-scheme: dark');
      expect((await t.app.inject({ url: '/static/style.000000000000.css' })).statusCode).toBe(404);
    });
  });

  describe('create, receipt, reveal', () => {
    it('the form posts to a 303 receipt page with the share link, passphrase, state and time left', async () => {
      const res = await postForm(t.app, '/', { secret: 'db password', ttl: '3600' });
      expect(res.statusCode).toBe(303);
      expect(res.headers['cache-control']).toBe('no-store');
      const receiptKey = receiptKeyFrom(res.headers.location);
      const page = await t.app.inject({ url: `/private/${receiptKey}` });
      expect(page.body).toMatch(/>https:\/\/secrets\.example\.com\/secret\/[0-9a-z]{31}<\/textarea>/);
      const text = mainText(page.body);
      expect(text).toContain('State Not read yet');
      expect(text).toContain('Passphrase None');
      expect(text).toMatch(/Expires in (59 minutes \d+ seconds|1 hour)/);
      expect(page.body).toMatch(/<form method="post" action="\/private\/[0-9a-z]{31}\/burn">/);
      expect(page.body).not.toContain('db password');
      // The receipt is the API's: the same record, now viewed.
      const api = await t.app.inject({ url: `/api/v1/private/${receiptKey}` });
      expect(api.json()).toMatchObject({ state: 'viewed', ttl: 3600, passphrase_required: false });
    });

    it('reveals once, byte for byte and escaped; the second look is the friendly 404', async () => {
      const secret = '\nline one\n"><script>alert(1)</script> & ünïcødé 🔑\n';
      const { receiptKey, secretKey } = await create({ secret });
      const revealed = await postForm(t.app, `/secret/${secretKey}`, {});
      expect(revealed.statusCode).toBe(200);
      expect(revealed.headers['cache-control']).toBe('no-store');
      expect(revealed.body).not.toContain('<script>alert(1)</script>');
      expect(revealedValue(revealed.body)).toBe(secret);
      expect(mainText(revealed.body)).toContain('It has now been destroyed on the server');

      for (const res of [await t.app.inject({ url: `/secret/${secretKey}` }), await postForm(t.app, `/secret/${secretKey}`, {})]) {
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(mainText(res.body)).toContain('This secret does not exist or is no longer available');
      }
      expect(mainText((await t.app.inject({ url: `/private/${receiptKey}` })).body)).toContain('State Read');
    });

    it('GET never reveals nor consumes: previews, bots and HEADs leave the secret revealable', async () => {
      const { receiptKey, secretKey } = await create({ secret: 'survives previews' });
      for (const ua of BOT_AGENTS) {
        const res = await t.app.inject({ url: `/secret/${secretKey}`, headers: { 'user-agent': ua } });
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toContain('survives previews');
        expect(mainText(res.body)).toContain('A secret for you');
      }
      expect((await t.app.inject({ method: 'HEAD', url: `/secret/${secretKey}` })).statusCode).toBe(200);
      expect((await t.app.inject({ url: `/api/v1/private/${receiptKey}` })).json()).toMatchObject({ state: 'viewed' });
      const revealed = await postForm(t.app, `/secret/${secretKey}`, {});
      expect(revealedValue(revealed.body)).toBe('survives previews');
    });

    it('a secret made by the API opens on the web page, and one made on the web reveals through the API', async () => {
      const api = await t.app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 'from the api' } });
      const viaWeb = await postForm(t.app, `/secret/${api.json().secret_key}`, {});
      expect(revealedValue(viaWeb.body)).toBe('from the api');

      const { secretKey } = await create({ secret: 'from the web' });
      const viaApi = await t.app.inject({ method: 'POST', url: `/api/v1/secret/${secretKey}` });
      expect(viaApi.json()).toEqual({ value: 'from the web', secret_key: secretKey, share_domain: 'https://secrets.example.com' });
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(404);
    });

    it('unknown, malformed and expired-looking keys and unknown paths get the friendly 404; /api keeps JSON', async () => {
      const long = 'a'.repeat(500);
      for (const url of [`/secret/${'a'.repeat(31)}`, '/secret/NOT-A-KEY', `/private/${'b'.repeat(31)}`, '/nope', '/secret/', `/secret/${long}`, `/private/${long}`]) {
        const res = await t.app.inject({ url });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
        expect(mainText(res.body), url).toContain('Nothing here');
      }
      expect(mainText((await t.app.inject({ url: `/private/${'b'.repeat(31)}` })).body)).toContain('This receipt does not exist');
      const api = await t.app.inject({ url: '/api/v1/nope' });
      expect(api.statusCode).toBe(404);
      expect(api.json()).toEqual({ message: 'Not Found' });
    });
  });

  describe('passphrases and guessing', () => {
    it('asks for the passphrase; a missing or wrong one re-asks (400) without consuming; the right one reveals', async () => {
      const { secretKey, receiptPage } = await create({ secret: 'guarded', passphrase: 'open sesame' });
      expect(mainText(receiptPage)).toContain('Passphrase Set: the recipient needs it');
      const page = await t.app.inject({ url: `/secret/${secretKey}` });
      expect(page.body).toMatch(/<label for="passphrase">Passphrase<\/label>\s*<input type="password" id="passphrase" name="passphrase" required/);

      const missing = await postForm(t.app, `/secret/${secretKey}`, { passphrase: '' });
      expect(missing.statusCode).toBe(400);
      expect(mainText(missing.body)).toContain('Enter the passphrase');
      const wrong = await postForm(t.app, `/secret/${secretKey}`, { passphrase: 'open says me' });
      expect(wrong.statusCode).toBe(400);
      expect(mainText(wrong.body)).toContain('That passphrase is not right');
      expect(wrong.body).not.toContain('guarded');

      const right = await postForm(t.app, `/secret/${secretKey}`, { passphrase: 'open sesame' });
      expect(revealedValue(right.body)).toBe('guarded');
      expect((await postForm(t.app, `/secret/${secretKey}`, { passphrase: 'open sesame' })).statusCode).toBe(404);
    });

    it('past the guessing limit even the right passphrase gets the 429 page with Retry-After', async () => {
      const { secretKey } = await create({ secret: 'limited', passphrase: 'right one' });
      for (let i = 0; i < 3; i++) expect((await postForm(t.app, `/secret/${secretKey}`, { passphrase: `wrong ${i}` })).statusCode).toBe(400);
      const limited = await postForm(t.app, `/secret/${secretKey}`, { passphrase: 'right one' });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(mainText(limited.body)).toMatch(/Too many attempts\. Try again in \d+ minutes?/);
      expect(limited.body).not.toContain('limited</textarea>');
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(200);
    });
  });

  describe('create refusals render the form again', () => {
    it('nothing to share (400), too large (413, text kept and escaped), passphrase too long (400)', async () => {
      const empty = await postForm(t.app, '/', { secret: '', ttl: '86400' });
      expect(empty.statusCode).toBe(400);
      expect(mainText(empty.body)).toContain('Type or paste a secret first.');
      expect(empty.body).toMatch(/<option value="86400" selected>1 day<\/option>/);

      const big = `<b>${'x'.repeat(250)}</b>`;
      const tooLarge = await postForm(t.app, '/', { secret: big });
      expect(tooLarge.statusCode).toBe(413);
      expect(mainText(tooLarge.body)).toContain('The secret is too large: at most 200 bytes.');
      expect(tooLarge.body).toContain(`&lt;b&gt;${'x'.repeat(250)}&lt;/b&gt;</textarea>`);

      const longPassphrase = await postForm(t.app, '/', { secret: 's', passphrase: 'p'.repeat(129) });
      expect(longPassphrase.statusCode).toBe(400);
      expect(mainText(longPassphrase.body)).toContain('at most 128 characters');
    });
  });

  describe('burn', () => {
    it('burns from the receipt page, confirms it, and the link is gone', async () => {
      const { receiptKey, secretKey } = await create({ secret: 'to burn' });
      const burned = await postForm(t.app, `/private/${receiptKey}/burn`, {});
      expect(burned.statusCode).toBe(200);
      expect(mainText(burned.body)).toContain('Secret burned');
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(404);
      const receipt = await t.app.inject({ url: `/private/${receiptKey}` });
      expect(mainText(receipt.body)).toContain('State Burned');
      expect(receipt.body).not.toContain('/burn"');
      expect((await t.app.inject({ url: `/api/v1/private/${receiptKey}` })).json()).toMatchObject({ state: 'burned', secret_key: '' });
    });

    it("the receipt page also answers at /receipt/<key> and /receipt/<key>/burn, the links v2 hands out", async () => {
      const { receiptKey, secretKey } = await create({ secret: 'v2 links' });
      for (const url of [`/receipt/${receiptKey}`, `/receipt/${receiptKey}/burn`]) {
        const page = await t.app.inject({ url });
        expect(page.statusCode, url).toBe(200);
        expect(shareKeyFrom(page.body), url).toBe(secretKey);
      }
      const burned = await postForm(t.app, `/receipt/${receiptKey}/burn`, {});
      expect(mainText(burned.body)).toContain('Secret burned');
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(404);
      expect((await t.app.inject({ url: `/receipt/${'r'.repeat(500)}` })).statusCode).toBe(404);
    });

    it('a protected secret needs its passphrase to burn; a wrong one shows the receipt with the reason', async () => {
      const { receiptKey, secretKey } = await create({ secret: 'guarded burn', passphrase: 'pass word' });
      const wrong = await postForm(t.app, `/private/${receiptKey}/burn`, { passphrase: 'nope' });
      expect(wrong.statusCode).toBe(400);
      expect(mainText(wrong.body)).toContain('That passphrase is not right.');
      expect(wrong.body).toContain('id="burn-passphrase"');
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(200);
      const right = await postForm(t.app, `/private/${receiptKey}/burn`, { passphrase: 'pass word' });
      expect(right.statusCode).toBe(200);
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(404);
    });

    it('burning a secret that was read meanwhile answers 409 with the receipt that says so', async () => {
      const { receiptKey, secretKey } = await create({ secret: 'read first' });
      await postForm(t.app, `/secret/${secretKey}`, {});
      const late = await postForm(t.app, `/private/${receiptKey}/burn`, {});
      expect(late.statusCode).toBe(409);
      expect(mainText(late.body)).toContain('The secret was read and then destroyed.');
    });
  });

  describe('languages', () => {
    it('Dutch by Accept-Language, with q-values honoured', async () => {
      const nl = await t.app.inject({ url: '/', headers: { 'accept-language': 'fr-FR, nl-NL;q=0.9, en;q=0.8' } });
      expect(nl.body).toContain('<html lang="nl">');
      expect(mainText(nl.body)).toContain('Deel een geheim');
      expect(nl.headers.vary).toContain('Accept-Language');
      const en = await t.app.inject({ url: '/', headers: { 'accept-language': 'nl;q=0.5, en;q=0.9' } });
      expect(en.body).toContain('<html lang="en">');
    });

    it('?locale= wins and sticks through the form, the redirect and the receipt', async () => {
      const form = await t.app.inject({ url: '/?locale=nl', headers: { 'accept-language': 'en' } });
      expect(form.body).toContain('<form method="post" action="/?locale=nl">');
      const res = await postForm(t.app, '/?locale=nl', { secret: 'hallo', passphrase: 'geheim wachtwoord' });
      expect(res.headers.location).toMatch(/^\/private\/[0-9a-z]{31}\?locale=nl$/);
      const receipt = await t.app.inject({ url: String(res.headers.location) });
      const text = mainText(receipt.body);
      expect(text).toContain('Je geheime link');
      expect(text).toContain('Status Nog niet gelezen');
      // 7 days, less whatever time passed since the create (none, within the same millisecond).
      expect(text).toMatch(/Verloopt over (6 dagen 23 uur|7 dagen)/);
      // The share link carries no locale: the recipient's browser chooses.
      expect(receipt.body).toMatch(/>https:\/\/secrets\.example\.com\/secret\/[0-9a-z]{31}<\/textarea>/);
      const secretKey = shareKeyFrom(receipt.body);
      const wrong = await postForm(t.app, `/secret/${secretKey}?locale=nl`, { passphrase: 'fout' });
      expect(mainText(wrong.body)).toContain('Die wachtwoordzin klopt niet.');
      const gone = await t.app.inject({ url: `/secret/${'c'.repeat(31)}?locale=nl` });
      expect(mainText(gone.body)).toContain('Hier is niets');
    });
  });

  describe('cross-site posts', () => {
    it('are refused (403) before anything happens; same-origin (Origin null too) and non-browser posts pass', async () => {
      const { secretKey } = await create({ secret: 'not for them' });
      const refused: Record<string, string>[] = [
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { origin: 'https://evil.example.net' },
        // Sandboxed frames and data: URLs send `Origin: null` without `Sec-Fetch-Site: same-origin` (issue 22).
        { origin: 'null' },
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of refused) {
        const res = await postForm(t.app, `/secret/${secretKey}`, {}, headers);
        expect(res.statusCode, JSON.stringify(headers)).toBe(403);
        expect(mainText(res.body)).toContain('sent from another website');
      }
      expect((await postForm(t.app, '/', { secret: 'x' }, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(200);

      expect((await postForm(t.app, '/', { secret: 'x' }, { origin: 'https://secrets.example.com' })).statusCode).toBe(303);
      expect((await postForm(t.app, '/', { secret: 'x' }, { origin: 'http://127.0.0.1:7143', host: '127.0.0.1:7143' })).statusCode).toBe(303);
      const ok = await postForm(t.app, `/secret/${secretKey}`, {}, { 'sec-fetch-site': 'same-origin', origin: 'null' });
      expect(revealedValue(ok.body)).toBe('not for them');
    });
  });

  it('logs never hold a secret, a passphrase or a full key after web flows', async () => {
    const { receiptKey, secretKey } = await create({ secret: 'log-canary-value', passphrase: 'log-canary-pass' });
    await postForm(t.app, `/secret/${secretKey}`, { passphrase: 'log-canary-wrong' });
    await postForm(t.app, `/secret/${secretKey}`, { passphrase: 'log-canary-pass' });
    const logs = t.logs.join('');
    for (const needle of ['log-canary', secretKey, receiptKey]) expect(logs).not.toContain(needle);
    expect(logs).toContain(secretKey.slice(0, 6));
  });
});

describe.each(STORE_KINDS)('web pages with accounts, a private instance (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { ALLOW_ANONYMOUS: 'false', RECEIPTS_OWNER_ONLY: 'true', WEB_TTL_CHOICES: '5m,1h,7d,14d,30d' });
  });
  afterAll(() => t.close());

  it('without anonymous creation the form asks the browser for credentials (401 + WWW-Authenticate)', async () => {
    for (const res of [await t.app.inject({ url: '/' }), await postForm(t.app, '/', { secret: 'x' })]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="ots-server"/);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    const wrong = await t.app.inject({ url: '/', headers: { authorization: basic({ ...ALICE, token: 'wrong-token-000' }) } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('accounts get the form with their longer expiries; with RECEIPTS_OWNER_ONLY receipts are theirs alone', async () => {
    const auth = { authorization: basic(ALICE) };
    const form = await t.app.inject({ url: '/', headers: auth });
    expect(form.statusCode).toBe(200);
    expect([...form.body.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([300, 3600, 604800, 1209600, 2592000]);
    expect(form.body).toMatch(/<option value="604800" selected>/);

    const res = await postForm(t.app, '/', { secret: 'alice only', ttl: '2592000' }, auth);
    const receiptKey = receiptKeyFrom(res.headers.location);
    const own = await t.app.inject({ url: `/private/${receiptKey}`, headers: auth });
    expect(mainText(own.body)).toMatch(/Expires in (29 days 23 hours|30 days)/);
    for (const headers of [{}, { authorization: basic(BOB) }] as Record<string, string>[]) {
      const other = await t.app.inject({ url: `/private/${receiptKey}`, headers });
      expect(other.statusCode).toBe(401);
      expect(other.headers['www-authenticate']).toMatch(/^Basic/);
      expect(other.body).not.toContain('/secret/');
      expect((await postForm(t.app, `/private/${receiptKey}/burn`, {}, headers)).statusCode).toBe(401);
    }
    // Reveals stay anonymous.
    const revealed = await postForm(t.app, `/secret/${shareKeyFrom(own.body)}`, {});
    expect(revealedValue(revealed.body)).toBe('alice only');
  });
});

describe('web pages when the store is down (redis store)', () => {
  it('render the 503 page, not JSON', async () => {
    const t = await makeApp('redis');
    try {
      (t.store as RedisStore).redis.disconnect();
      for (const res of [
        await t.app.inject({ url: `/secret/${'d'.repeat(31)}` }),
        await postForm(t.app, '/', { secret: 'x' }),
        await t.app.inject({ url: `/private/${'e'.repeat(31)}` }),
      ]) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(mainText(res.body)).toContain('The service is unavailable for a moment.');
      }
    } finally {
      await t.close();
    }
  });
});

describe('expiry on the pages (memory store, fake clock)', () => {
  it('shows time running out, then expired; the link becomes the 404 page', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const t = await makeApp('memory', {}, { now: () => clock });
    try {
      const res = await postForm(t.app, '/', { secret: 'short lived', ttl: '300' });
      const receiptKey = receiptKeyFrom(res.headers.location);
      const first = await t.app.inject({ url: `/private/${receiptKey}` });
      expect(mainText(first.body)).toContain('Expires in 5 minutes');
      const secretKey = shareKeyFrom(first.body);
      clock += 240_000;
      expect(mainText((await t.app.inject({ url: `/secret/${secretKey}` })).body)).toContain('expires in 1 minute');
      clock += 61_000;
      expect((await t.app.inject({ url: `/secret/${secretKey}` })).statusCode).toBe(404);
      const expired = await t.app.inject({ url: `/private/${receiptKey}` });
      expect(mainText(expired.body)).toContain('State Expired');
      expect(mainText(expired.body)).toContain('The secret expired before anyone read it.');
    } finally {
      await t.close();
    }
  });
});
