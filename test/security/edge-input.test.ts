// Issue 22 at the HTTP edge, through inject(): odd and hostile input gets a quick 4xx in the version's own shape
// (docs/contracts/ots-v2-api.md §5, §11.5; docs/contracts/ots-v1-api.md §5), never a 500 and never a changed value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic, makeApp, type TestApp } from '../support/app.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const V2_MALFORMED = { error: 'Malformed request body', error_type: 'FormError' };

let t: TestApp;
beforeAll(async () => {
  t = await makeApp('memory');
});
afterAll(() => t.close());

const post = (url: string, headers: Record<string, string>, payload: string) => t.app.inject({ method: 'POST', url, headers, payload });

function expectV1BadRequest(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(res.statusCode).toBe(404);
  expect(res.headers['x-ots-intended-status']).toBe('400');
  expect(res.json()).toEqual({ message: expect.any(String) });
}

describe('item 2: deep nesting and many keys are refused before anything recurses', () => {
  const deepJson = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
  const deepForm = `a${'[a]'.repeat(4000)}=1`;
  it.each([
    ['JSON body', '/api/v2/secret/conceal', JSON_TYPE, deepJson],
    ['JSON sniffed without a type', '/api/v3/guest/secret/conceal', { 'content-type': 'text/plain' }, deepJson],
    ['form body', '/api/v2/secret/conceal', FORM_TYPE, deepForm],
    ['many keys', '/api/v2/secret/conceal', JSON_TYPE, JSON.stringify(Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i])))],
  ])('v2/v3 %s → 400 in v2 shape', async (_name, url, headers, payload) => {
    const res = await post(url, headers, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(V2_MALFORMED);
  });
  it('a nested query string → 400 in v2 shape', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v2/secret/conceal?a${'[a]'.repeat(3000)}=1` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(V2_MALFORMED);
  });
  it('v1 deep JSON → its 404 with intended 400', async () => {
    expectV1BadRequest(await post('/api/v1/share', JSON_TYPE, deepJson));
  });
  it('the contract depth still works (generate with character_sets)', async () => {
    const res = await post('/api/v2/secret/generate', JSON_TYPE, JSON.stringify({ secret: { length: 8, character_sets: { numbers: true } } }));
    expect(res.statusCode).toBe(200);
  });
});

describe('item 4: lone UTF-16 surrogates are refused naming the field', () => {
  it('v2 conceal with "\\ud800" as secret → 422 FormError, field secret; nothing stored', async () => {
    const res = await post('/api/v2/secret/conceal', JSON_TYPE, '{"secret":{"secret":"\\ud800"}}');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error_type: 'FormError', field: 'secret' });
  });
  it('passphrases "\\ud800" and "\\udbff" are refused, not stored as U+FFFD', async () => {
    const res = await post('/api/v3/guest/secret/conceal', JSON_TYPE, '{"secret":{"secret":"x","passphrase":"\\udbff"}}');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ field: 'passphrase' });
  });
  it('v1 JSON with a lone surrogate → its 404 with intended 400, naming the field', async () => {
    const res = await post('/api/v1/share', JSON_TYPE, '{"secret":"a\\udc00b"}');
    expectV1BadRequest(res);
    expect((res.json() as { message: string }).message).toContain('secret');
  });
  it('well-formed pairs (emoji) still pass byte for byte', async () => {
    const res = await post('/api/v2/secret/conceal', JSON_TYPE, '{"secret":{"secret":"\\ud83d\\ude00"}}');
    expect(res.statusCode).toBe(200);
    const key = (res.json() as { record: { secret: { key: string } } }).record.secret.key;
    const shown = await post(`/api/v2/secret/${key}/reveal`, JSON_TYPE, '{"continue":true}');
    expect((shown.json() as { record: { secret_value: string } }).record.secret_value).toBe('😀');
  });
});

describe('item 6: a JSON TTL of 1e21 or more clamps to the maximum', () => {
  it.each([1e21, 1e300, 1.5e23])('ttl %d → the anonymous maximum', async (ttl) => {
    const res = await post('/api/v2/secret/conceal', JSON_TYPE, `{"secret":{"secret":"x","ttl":${ttl}}}`);
    expect((res.json() as { record: { secret: { secret_ttl: number } } }).record.secret.secret_ttl).toBe(t.config.ttlMaxAnonymous);
  });
  it('v1 JSON ttl 1e21 → the anonymous maximum', async () => {
    const res = await post('/api/v1/share', JSON_TYPE, '{"secret":"x","ttl":1e21}');
    expect((res.json() as { ttl: number }).ttl).toBe(t.config.ttlMaxAnonymous);
  });
});

describe('item 8: malformed multipart, HEAD and the Host header (§11.5)', () => {
  const shapes: [string, Record<string, string>, string][] = [
    ['no boundary', { 'content-type': 'multipart/form-data' }, 'secret=x'],
    ['a boundary never found', { 'content-type': 'multipart/form-data; boundary=X' }, 'hello world, no delimiter here'],
    ['an empty chunked body', { 'content-type': 'multipart/form-data; boundary=X', 'transfer-encoding': 'chunked' }, ''],
  ];
  it.each(shapes)('%s → v1 404/400, v2 and v3 400 FormError, web 400', async (_name, headers, payload) => {
    expectV1BadRequest(await post('/api/v1/share', headers, payload));
    for (const url of ['/api/v2/secret/conceal', '/api/v3/guest/secret/conceal']) {
      const res = await post(url, headers, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(V2_MALFORMED);
    }
    expect((await post('/', headers, payload)).statusCode).toBe(400);
  });
  it('well-formed multipart still shares; one without a secret is "nothing to share"', async () => {
    const body = (name: string) => `--X\r\nContent-Disposition: form-data; name="${name}"\r\n\r\nvalue\r\n--X--\r\n`;
    const headers = { 'content-type': 'multipart/form-data; boundary=X' };
    expect((await post('/api/v1/share', headers, body('secret'))).statusCode).toBe(200);
    expect((await post('/api/v1/share', headers, body('ttl'))).json()).toEqual({ message: 'You did not provide anything to share' });
  });
  it.each(['/api/v1/status', '/api/v2/status', '/api/v3/status'])('HEAD %s → 200, JSON type, no body', async (url) => {
    const res = await t.app.inject({ method: 'HEAD', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toBe('');
  });
  it('a forged Host or X-Forwarded-Host changes no link', async () => {
    const forged = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
    const v1 = await post('/api/v1/share', { ...FORM_TYPE, ...forged }, 'secret=x');
    const v2 = await post('/api/v2/secret/conceal', { ...JSON_TYPE, ...forged }, '{"secret":{"secret":"x"}}');
    const page = await t.app.inject({ url: `/secret/${(v1.json() as { secret_key: string }).secret_key}`, headers: forged });
    for (const body of [v1.body, v2.body, page.body]) expect(body).not.toContain('evil.example');
  });
});

describe('item 10: memos lose unclosed tags', () => {
  it('PATCH memo "keep<script src=x" → "keep"', async () => {
    const auth = { authorization: basic(ALICE) };
    const made = await post('/api/v2/secret/conceal', { ...JSON_TYPE, ...auth }, '{"secret":{"secret":"x"}}');
    const receipt = (made.json() as { record: { receipt: { identifier: string } } }).record.receipt.identifier;
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v2/receipt/${receipt}`, headers: { ...JSON_TYPE, ...auth }, payload: '{"memo":"keep<script src=x"}' });
    expect((res.json() as { record: { memo: string } }).record.memo).toBe('keep');
  });
});

describe('item 8: GET and HEAD routes read no body, whatever their Content-Type says', () => {
  it.each(['GET', 'HEAD'] as const)('%s /api/v2/status with a multipart type and no body → 200', async (method) => {
    for (const type of ['multipart/form-data', 'multipart/form-data; boundary=X']) {
      expect((await t.app.inject({ method, url: '/api/v2/status', headers: { 'content-type': type } })).statusCode).toBe(200);
    }
  });
});
