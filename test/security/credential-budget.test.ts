// Issue 22, item 3: failed credential checks are counted per client and per username on every route that checks
// credentials, `/status` included (which has no request budget), and refused past RATE_LIMIT_AUTH_FAILURES.
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, basic, makeApp, STORE_KINDS, type TestApp } from '../support/app.js';

const LIMIT = 5;
const wrong = (email: string) => basic({ email, token: 'wrong-token-0123456789abcdefghij' });

describe.each(STORE_KINDS)('credential budget (%s store)', (kind) => {
  let t: TestApp;
  afterEach(() => t.close());
  const start = async () => (t = await makeApp(kind, { RATE_LIMIT_AUTH_FAILURES: String(LIMIT) }));
  const get = (url: string, authorization: string, remoteAddress = '203.0.113.5') =>
    t.app.inject({ url, headers: { authorization }, remoteAddress });

  it('one client: bad credentials on GET /api/v1/status are refused past the budget, then even good ones', async () => {
    await start();
    const answers = [];
    for (let i = 0; i < LIMIT + 2; i++) answers.push(await get('/api/v1/status', wrong(`user${i}@example.com`)));
    expect(answers.map((r) => r.headers['x-ots-intended-status'])).toEqual([...Array(LIMIT).fill('401'), '429', '429']);
    expect(answers[LIMIT]!.json()).toEqual({ message: 'Rate limit exceeded. Please try again later.' });
    expect(answers[LIMIT]!.headers['retry-after']).toBeDefined();
    // v2 answers in its shape; the right credentials from that client wait for the window too.
    const v2 = await get('/api/v2/receipt/recent', basic(ALICE));
    expect(v2.statusCode).toBe(429);
    expect(v2.json()).toMatchObject({ error_type: 'LimitExceeded' });
    // The operator sees it; no username or token is logged.
    expect(t.logs.join('')).toContain('failed-credentials budget exceeded');
    expect(t.logs.join('')).not.toMatch(/user\d@example\.com|wrong-token/);
    // Another client is not affected, nor are anonymous requests from the refused one.
    expect((await get('/api/v1/status', basic(ALICE), '198.51.100.7')).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/status', remoteAddress: '203.0.113.5' })).statusCode).toBe(200);
  });

  it('one username from many clients is refused past the budget; other usernames are not', async () => {
    await start();
    const answers = [];
    for (let i = 0; i < LIMIT + 1; i++) answers.push(await get('/api/v1/status', wrong(BOB.email), `192.0.2.${10 + i}`));
    expect(answers.map((r) => r.headers['x-ots-intended-status'])).toEqual([...Array(LIMIT).fill('401'), '429']);
    expect((await get('/api/v1/status', basic(BOB), '192.0.2.99')).headers['x-ots-intended-status']).toBe('429');
    expect((await get('/api/v1/status', basic(ALICE), '192.0.2.99')).statusCode).toBe(200);
  });

  it('good credentials are never counted', async () => {
    await start();
    for (let i = 0; i < LIMIT * 3; i++) expect((await get('/api/v2/receipt/recent', basic(ALICE))).statusCode).toBe(200);
  });
});
