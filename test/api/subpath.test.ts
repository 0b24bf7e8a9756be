// Sub-path hosting (docs/contracts/ots-v2-api.md §11.4; contract tests 103–105) through a real socket on both
// stores, with OTS_PUBLIC_URL=https://secrets.example.com/ots: the API, the pages and their assets answer under
// /ots, every URL the server emits starts with it, no API route redirects, and the server's own host in any spelling
// counts as no share domain. The server also answers at the root, for a proxy that strips the path. The same
// install behind a real nginx is test/e2e/reverse-proxy.test.ts.
import { describe, expect, it } from 'vitest';
import { ALICE, STORE_KINDS } from '../support/app.js';
import { ok, postForm, send, serve, type Body, type SocketApp } from './socket.js';

const BASE = 'https://secrets.example.com/ots';
const HTML_LINK = /\s(?:href|src|action)="([^"]*)"/g;

/** Every absolute URL anywhere in a body. */
function urlsIn(body: Body): string[] {
  if (typeof body === 'string') return /^https?:\/\//.test(body) ? [body] : [];
  if (body && typeof body === 'object') return Object.values(body).flatMap(urlsIn);
  return [];
}

const postJson = (s: SocketApp, path: string, body: unknown, as = undefined as typeof ALICE | undefined) =>
  send(s, 'POST', path, { body: JSON.stringify(body), contentType: 'application/json', as });

/** A page's links, form actions and asset sources: each under /ots/ (or a fragment); the assets load. */
async function expectPageUnderBase(s: SocketApp, path: string): Promise<string> {
  const page = await send(s, 'GET', path);
  expect(page.status, path).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const links = [...page.text.matchAll(HTML_LINK)].map((m) => m[1]!.replaceAll('&amp;', '&'));
  expect(links.length).toBeGreaterThan(3);
  for (const link of links) {
    if (link.startsWith('#')) continue;
    expect(link.startsWith('/ots/') || link.startsWith(`${BASE}/`), `${path}: ${link}`).toBe(true);
  }
  for (const asset of links.filter((l) => l.startsWith('/ots/static/'))) expect((await send(s, 'GET', asset)).status, asset).toBe(200);
  return page.text;
}

describe.each(STORE_KINDS)('sub-path hosting under /ots (%s store)', (kind) => {
  const s = serve(kind, { OTS_PUBLIC_URL: `${BASE}/` });

  it('103 v2 conceal, v1 share and v3 guest conceal under /ots → 200, every URL they answer starts with the base', async () => {
    const v2 = ok(await postJson(s, '/ots/api/v2/secret/conceal', { secret: { secret: 'x' } }, ALICE));
    const v2Receipt = ok(await send(s, 'GET', `/ots/api/v2/receipt/${v2.record.receipt.identifier}`, { as: ALICE }));
    const v3 = ok(await postJson(s, '/ots/api/v3/guest/secret/conceal', { secret: { secret: 'x' } }));
    const v3Receipt = ok(await send(s, 'GET', `/ots/api/v3/guest/receipt/${v3.record.receipt.identifier}`));
    const v1 = ok(await postForm(s, '/ots/api/v1/share', { secret: 'x' }));
    const v1Reveal = ok(await postForm(s, `/ots/api/v1/secret/${v1.secret_key}`, {}));
    expect(v1Reveal.share_domain).toBe(BASE);
    const urls = [v2, v2Receipt, v3, v3Receipt, v1, v1Reveal].flatMap(urlsIn);
    expect(v2Receipt).toMatchObject({ record: { share_url: `${BASE}/secret/${v2.record.secret.identifier}`, share_path: `secret/${v2.record.secret.identifier}` } });
    expect(urls.length).toBeGreaterThanOrEqual(8);
    for (const url of urls) expect(url.startsWith(`${BASE}/`) || url === BASE, url).toBe(true);
  });

  it('104 the pages under /ots: links, actions and assets stay under /ots/, the form sends to /ots/, revealing works', async () => {
    await expectPageUnderBase(s, '/ots/');
    expect((await send(s, 'GET', '/ots')).status).toBe(200);
    const created = await fetch(`${s.origin}/ots/`, {
      method: 'POST',
      body: 'secret=through+the+page',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    expect(location).toMatch(/^\/ots\/private\/[0-9a-z]+$/);
    const receiptPage = await expectPageUnderBase(s, location);
    const receiptKey = location.split('/').pop()!;
    const secretKey = new RegExp(`${BASE}/secret/([0-9a-z]+)`).exec(receiptPage)![1]!;
    for (const path of [`/ots/receipt/${receiptKey}`, `/ots/receipt/${receiptKey}/burn`, `/ots/secret/${secretKey}`, '/ots/?locale=nl']) {
      await expectPageUnderBase(s, path);
    }
    const revealed = await send(s, 'POST', `/ots/secret/${secretKey}`, { body: '', contentType: 'application/x-www-form-urlencoded' });
    expect(revealed.status).toBe(200);
    expect(revealed.text).toContain('through the page');
    expect((await send(s, 'GET', `/ots/secret/${secretKey}`)).status).toBe(404);
  });

  it('105 no /ots/api route redirects (/ots/api/v2/status/ is a JSON 404); the own host in any spelling → share_domain null', async () => {
    const probes: [string, string][] = [
      ['GET', '/ots/api/v2/status'],
      ['GET', '/ots/api/v2/status/'],
      ['GET', '/ots/api/v3/status/'],
      ['GET', '/ots/api/v1/status/'],
      ['GET', '/ots/api'],
      ['GET', '/ots/api/'],
      ['POST', '/ots/api/v2/secret/conceal/'],
      ['GET', '/ots/api/v2//status'],
    ];
    for (const [method, path] of probes) {
      const res = await send(s, method, path, { as: ALICE });
      expect(res.status >= 300 && res.status < 400, `${method} ${path} → ${res.status}`).toBe(false);
      expect(res.headers.get('location'), path).toBeNull();
    }
    const slash = await send(s, 'GET', '/ots/api/v2/status/');
    expect(slash.status).toBe(404);
    expect(slash.body).toEqual({ error: 'Not Found', error_type: 'NotFound' });
    for (const domain of ['secrets.example.com/ots', 'SECRETS.EXAMPLE.COM:443', 'secrets.example.com', 'Secrets.Example.com/ots/']) {
      const body = ok(await postJson(s, '/ots/api/v2/secret/conceal', { secret: { secret: 'x', share_domain: domain } }));
      expect(body.record.share_domain, domain).toBeNull();
      const receipt = ok(await send(s, 'GET', `/ots/api/v2/receipt/${body.record.receipt.identifier}`));
      expect(receipt.record.share_url.startsWith(`${BASE}/secret/`), domain).toBe(true);
    }
  });

  it('behind a proxy that strips /ots the same routes answer at the root, and their links still carry /ots', async () => {
    const v2 = ok(await postJson(s, '/api/v2/secret/conceal', { secret: { secret: 'x' } }));
    const receipt = ok(await send(s, 'GET', `/api/v2/receipt/${v2.record.receipt.identifier}`));
    expect(receipt.record.receipt_url).toBe(`${BASE}/receipt/${v2.record.receipt.identifier}`);
    await expectPageUnderBase(s, '/');
    expect((await send(s, 'GET', '/otsother')).status).toBe(404);
  });
});
