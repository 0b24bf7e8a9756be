// The incoming pages (docs/contracts/ots-incoming-api.md §9.48–52, §9.44) through inject(), on both stores: the
// form, a submit to the success page, errors kept in the form, cross-site posts, the switch, the receipt page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, STORE_KINDS, type TestApp } from '../support/app.js';
import { mainText, postForm } from './helpers.js';

// Nothing listens on port 9 (discard): every mail fails, which never fails a submit (§9.32).
const ENV = {
  SMTP_URL: 'smtp://127.0.0.1:9',
  SMTP_FROM: 'ots@example.com',
  INCOMING_RECIPIENTS: 'security@example.com,Security <Team>;helpdesk@example.org',
};

describe.each(STORE_KINDS)('incoming pages (%s store)', (kind) => {
  let t: TestApp;
  let digest: string;
  beforeAll(async () => {
    t = await makeApp(kind, ENV);
    digest = t.app.incoming.config().recipients[0]!.digest;
  });
  afterAll(() => t.close());

  it('§9.48: the form offers the display names (escaped) by digest, with the limits, no address, no TTL or passphrase', async () => {
    const res = await t.app.inject({ url: '/incoming' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(`<option value="${digest}">Security &lt;Team&gt;</option>`);
    expect(res.body).toContain('>helpdesk</option>');
    expect(res.body).toMatch(/<textarea id="secret"[^>]* maxlength="10000"/);
    expect(res.body).toMatch(/<input type="text" id="memo"[^>]* maxlength="50"/);
    expect(res.body).not.toContain('@');
    expect(res.body).not.toMatch(/name="(ttl|passphrase|email)"/);
    const nl = await t.app.inject({ url: '/incoming?locale=nl' });
    expect(mainText(nl.body)).toContain('Een geheim sturen');
  });

  it('§9.49, 44: a submit goes to the success page, which links the receipt and never a secret', async () => {
    const res = await postForm(t.app, '/incoming', { recipient: digest, secret: 'from the form', memo: 'ticket 42' });
    expect(res.statusCode).toBe(303);
    const match = /^\/incoming\/([0-9a-z]{31})$/.exec(String(res.headers.location));
    expect(match).not.toBeNull();
    const key = match![1]!;
    const page = await t.app.inject({ url: `/incoming/${key}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${key}"`);
    expect(page.body).toContain(`href="/receipt/${key}"`);
    expect(page.body).toContain('href="/incoming"');
    expect(page.body).not.toContain('/secret/');

    const receipt = await t.app.inject({ url: `/receipt/${key}` });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).not.toContain('/secret/');
    expect(mainText(receipt.body)).toContain('Security <Team>');
    expect(mainText(receipt.body)).toContain('ticket 42');
    expect(receipt.body).toContain(`action="/private/${key}/burn"`);
    const found = await t.app.ots.service.viewReceipt(key, { custid: 'anon', isAccount: false });
    expect(receipt.body).not.toContain(found.receipt.secretKey);
  });

  it('§9.50: an empty secret re-renders the form (422) keeping memo and recipient; a cross-site post is refused', async () => {
    const res = await postForm(t.app, '/incoming', { recipient: digest, secret: '', memo: 'kept memo' });
    expect(res.statusCode).toBe(422);
    expect(mainText(res.body)).toContain('Secret content is required.');
    expect(res.body).toContain('value="kept memo"');
    expect(res.body).toContain(`<option value="${digest}" selected>`);
    const unknown = await postForm(t.app, '/incoming', { recipient: 'f'.repeat(64), secret: 'x' });
    expect(unknown.statusCode).toBe(422);
    const cross = await postForm(t.app, '/incoming', { recipient: digest, secret: 'x' }, { origin: 'https://evil.example.net' });
    expect(cross.statusCode).toBe(403);
  });

  it('§9.52: a malformed key is 404, a well-formed unknown one renders', async () => {
    expect((await t.app.inject({ url: '/incoming/NOT-A-KEY' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/incoming/${'z'.repeat(31)}` })).statusCode).toBe(200);
  });

  it('the 429 of the limiter is the error page with Retry-After', async () => {
    const limited = await makeApp(kind, { ...ENV, INCOMING_RATE_LIMIT_MAX_PER_IP: '1' });
    try {
      const d = limited.app.incoming.config().recipients[0]!.digest;
      expect((await postForm(limited.app, '/incoming', { recipient: d, secret: 'one' })).statusCode).toBe(303);
      const refused = await postForm(limited.app, '/incoming', { recipient: d, secret: 'two' });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000);
      expect(mainText(refused.body)).toContain('Too many attempts');
    } finally {
      await limited.close();
    }
  });
});

describe('incoming pages switched off (§9.51)', () => {
  it('GET and POST /incoming answer a 404 page saying it is not available', async () => {
    const t = await makeApp('memory', { ...ENV, INCOMING_ENABLED: 'false' });
    try {
      for (const res of [await t.app.inject({ url: '/incoming' }), await postForm(t.app, '/incoming', { secret: 'x' })]) {
        expect(res.statusCode).toBe(404);
        expect(mainText(res.body)).toContain('Feature Not Available');
      }
    } finally {
      await t.close();
    }
  });
});
