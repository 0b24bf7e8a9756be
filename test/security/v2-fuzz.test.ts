// Bad input to API v2 and v3 (docs/contracts/ots-v2-api.md §5): whatever the body, content type, path key or query, the
// answer is never a 5xx and always JSON in the ADR-013 shape for errors. Random requests from fast-check.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic, makeApp, type TestApp } from '../support/app.js';

const ROUTES: [string, string][] = [
  ['POST', '/api/v2/secret/conceal'],
  ['POST', '/api/v2/secret/generate'],
  ['POST', '/api/v2/guest/secret/conceal'],
  ['GET', '/api/v2/secret/KEY'],
  ['POST', '/api/v2/secret/KEY/reveal'],
  ['GET', '/api/v2/secret/KEY/status'],
  ['POST', '/api/v2/secret/status'],
  ['GET', '/api/v2/receipt/KEY'],
  ['PATCH', '/api/v2/receipt/KEY'],
  ['POST', '/api/v2/receipt/KEY/burn'],
  ['GET', '/api/v2/receipt/recent'],
  ['POST', '/api/v3/guest/secret/conceal'],
  ['POST', '/api/v3/guest/receipts'],
  ['POST', '/api/v3/guest/secret/KEY/reveal'],
];

const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify({ secret: v, continue: v, passphrase: v, identifiers: v, memo: v })),
  fc.record({ secret: fc.dictionary(fc.constantFrom('secret', 'ttl', 'passphrase', 'recipient', 'share_domain', 'length', 'character_sets', 'kind'), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', '{', '[1,2', 'secret[secret]=x&secret[ttl][a]=1', 'secret[]=1&secret[secret][]=2', '%E0%A4%A', 'null'),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data',
  undefined,
);
const key = fc.oneof(fc.stringMatching(/^[0-9a-z]{1,40}$/), fc.string({ maxLength: 80 }).map(encodeURIComponent), fc.constant('recent'));

describe('API v2/v3 against prototype pollution (memory store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('memory');
  });
  afterAll(() => t.close());

  it('Rack-style keys and JSON bodies never reach Object.prototype', async () => {
    const attacks: { url: string; type: string; payload: string }[] = [
      { url: '/api/v2/secret/conceal?__proto__[polluted]=q', type: 'application/json', payload: '{"secret":{"secret":"x"}}' },
      { url: '/api/v2/secret/conceal', type: 'application/x-www-form-urlencoded', payload: '__proto__[polluted]=f&secret[secret]=x' },
      { url: '/api/v2/secret/conceal', type: 'application/x-www-form-urlencoded', payload: 'constructor[prototype][polluted]=c&secret[secret]=x' },
      { url: '/api/v2/secret/conceal', type: 'application/x-www-form-urlencoded', payload: 'secret[__proto__][polluted]=n&secret[secret]=x' },
      { url: '/api/v2/secret/conceal', type: 'application/json', payload: '{"__proto__":{"polluted":"j"},"secret":{"secret":"x","__proto__":{"polluted":"k"}}}' },
      { url: '/api/v3/guest/receipts?__proto__[polluted]=r', type: 'application/json', payload: '{"identifiers":[]}' },
    ];
    for (const a of attacks) {
      const res = await t.app.inject({ method: 'POST', url: a.url, headers: { 'content-type': a.type }, payload: a.payload });
      expect(res.statusCode, `${a.url} ${a.payload}`).toBe(200);
      expect(({} as Record<string, unknown>).polluted, `${a.url} ${a.payload}`).toBeUndefined();
    }
  });
});

describe('API v2/v3 under random input (memory store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('memory');
  });
  afterAll(() => t.close());

  it('never answers 5xx; every error is JSON with string error and error_type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        key,
        body,
        contentType,
        fc.boolean(),
        fc.string({ maxLength: 40 }).map(encodeURIComponent),
        async ([method, path], k, payload, type, withAccount, query) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (withAccount) headers.authorization = basic(ALICE);
          const res = await t.app.inject({
            method: method as 'POST',
            url: `${path.replace('KEY', k)}?q=${query}`,
            headers,
            ...(method === 'GET' ? {} : { payload }),
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          expect(res.headers['content-type'] ?? '', res.body).toMatch(/json/);
          if (res.statusCode >= 400) {
            const parsed = res.json() as { error?: unknown; error_type?: unknown };
            expect(typeof parsed.error, res.body).toBe('string');
            expect(typeof parsed.error_type, res.body).toBe('string');
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
