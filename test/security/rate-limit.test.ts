// Attacks on the per-client rate limits: flooding, key guessing, path enumeration, forged client addresses,
// IPv6 address rotation, and spreading requests over several server instances.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { makeApp, makeStore, STORE_KINDS, uniquePrefix, type TestApp } from '../support/app.js';
import { freePort } from '../support/redis-server.js';
import { expectRateLimited, isRateLimited, randomKey, RATE_LIMITED, share } from './support.js';

const WINDOW = 60;

describe.each(STORE_KINDS)('rate limits (%s store)', (kind) => {
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>, deps: Parameters<typeof makeApp>[2] = {}) => {
    // Each test store has its own key prefix, and the Redis counters live under it: no other test shares them.
    const t = await makeApp(kind, { RATE_LIMIT_WINDOW: String(WINDOW), ...env }, deps);
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });

  it('a create flood from one client is refused with 429-intended and Retry-After; aliases share the budget', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '6' });
    const urls = ['/api/v1/share', '/api/v1/create', '/api/v1/generate'];
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await share(app, '127.0.0.1', {}, urls[i % 3]));
    expect(results.slice(0, 6).map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    for (const res of results.slice(6)) expectRateLimited(res, WINDOW);
    // A refused create stored nothing: the response carries no key.
    expect(results.slice(6).every((r) => !('secret_key' in r.json()))).toBe(true);
  });

  it('with API_ERROR_STATUS=intended the refusal is a real 429', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '1', API_ERROR_STATUS: 'intended' });
    expect((await share(app)).statusCode).toBe(200);
    const refused = await share(app);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ message: RATE_LIMITED });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('secret-key guessing is capped per client, and the cap does not spill onto other clients', async () => {
    const { app } = await start({ RATE_LIMIT_REVEAL: '10' });
    const created = (await share(app, '198.51.100.7')).json() as { secret_key: string };
    const guesses = 50;
    let unknown = 0;
    let limited = 0;
    for (let i = 0; i < guesses; i++) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/secret/${randomKey()}`, remoteAddress: '203.0.113.5' });
      if (isRateLimited(res)) limited++;
      else if ((res.json() as { message?: string }).message === 'Unknown secret') unknown++;
    }
    expect({ unknown, limited }).toEqual({ unknown: 10, limited: guesses - 10 });
    // Even a right key is refused to the guesser now, and the secret is not consumed by the refusal...
    const guesser = await app.inject({ method: 'POST', url: `/api/v1/secret/${created.secret_key}`, remoteAddress: '203.0.113.5' });
    expectRateLimited(guesser, WINDOW);
    // ...so its real recipient, another client, still gets it.
    const recipient = await app.inject({ method: 'POST', url: `/api/v1/secret/${created.secret_key}`, remoteAddress: '192.0.2.44' });
    expect(recipient.json()).toMatchObject({ value: 'rate me' });
  });

  it('receipt and burn probing are capped too', async () => {
    const { app } = await start({ RATE_LIMIT_RECEIPT: '3', RATE_LIMIT_BURN: '2' });
    const receipts = ['private', 'metadata', 'receipt', 'private'].map((base) => `/api/v1/${base}/${randomKey()}`);
    const viewed = await Promise.all(receipts.map((url) => app.inject({ method: 'GET', url })));
    expect(viewed.filter(isRateLimited)).toHaveLength(1);
    const burns = ['private', 'metadata', 'receipt'].map((base) => `/api/v1/${base}/${randomKey()}/burn`);
    const burned = await Promise.all(burns.map((url) => app.inject({ method: 'POST', url })));
    expect(burned.filter(isRateLimited)).toHaveLength(1);
  });

  it('unrouted-path enumeration is limited, while /status keeps answering', async () => {
    const { app } = await start({ RATE_LIMIT_UNROUTED: '10' });
    const probes = ['/.env', '/admin', '/api/v1/secrets', '/api/v9/status', '/wp-login.php', '/api/v1/private'];
    const answers = [];
    for (let i = 0; i < 30; i++) {
      const url = `${probes[i % probes.length]}?k=${randomKey()}`;
      answers.push(await app.inject({ method: i % 2 ? 'GET' : 'POST', url }));
    }
    // Web paths answer their HTML page, API paths the JSON error: both are 404s, and both count.
    expect(answers.slice(0, 10).map((r) => r.statusCode)).toEqual(new Array(10).fill(404));
    expect(answers.slice(0, 10).filter((r) => r.headers['x-ots-intended-status'] === '404')).not.toHaveLength(0);
    for (const res of answers.slice(10)) expectRateLimited(res, WINDOW);
    // GET on a POST-only route is unrouted too.
    expectRateLimited(await app.inject({ method: 'GET', url: '/api/v1/share' }), WINDOW);
    const status = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(status.json()).toEqual({ status: 'nominal', locale: 'en' });
  });

  it('switching between the API and the web pages does not buy a second budget', async () => {
    const { app } = await start({ RATE_LIMIT_REVEAL: '4' });
    const answers = [];
    for (let i = 0; i < 6; i++) {
      // The API reveals by POST only; the web page is a GET (the landing page) and a POST (the reveal).
      const [method, url] = i % 2 ? ['POST', `/api/v1/secret/${randomKey()}`] : [i % 4 ? 'POST' : 'GET', `/secret/${randomKey()}`];
      answers.push(await app.inject({ method: method as 'GET' | 'POST', url }));
    }
    expect(answers.map(isRateLimited)).toEqual([false, false, false, false, true, true]);
  });

  it('a forged X-Forwarded-For does not buy a fresh budget when TRUST_PROXY is unset', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '3' });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await share(app, '203.0.113.9', { 'x-forwarded-for': `10.0.0.${i}` }));
    expect(results.filter(isRateLimited)).toHaveLength(3);
  });

  it('with TRUST_PROXY the forwarded client is counted, but only behind a listed proxy', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '2', TRUST_PROXY: '10.1.0.0/16, ::1' });
    // Behind the trusted proxy: three clients, two requests each, none limited.
    for (const client of ['198.51.100.1', '198.51.100.2', '2001:db8::5']) {
      for (let i = 0; i < 2; i++) expect(isRateLimited(await share(app, '10.1.2.3', { 'x-forwarded-for': client }))).toBe(false);
    }
    expect(isRateLimited(await share(app, '10.1.9.9', { 'x-forwarded-for': '198.51.100.1' }))).toBe(true);
    // A peer that is not a listed proxy is itself the client, whatever it forwards.
    const direct = [];
    for (let i = 0; i < 4; i++) direct.push(await share(app, '203.0.113.77', { 'x-forwarded-for': `198.51.100.${100 + i}` }));
    expect(direct.filter(isRateLimited)).toHaveLength(2);
  });

  it('with TRUST_PROXY an X-Forwarded-For that is not an address counts as the proxy itself, not a fresh client (issue 22)', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '3', TRUST_PROXY: '10.1.0.0/16' });
    const forged = ['junk', 'a', 'b, c', '198.51.100.1, zz', 'unknown', '999.1.1.1'];
    const results = [];
    for (const xff of forged) results.push(await share(app, '10.1.2.3', { 'x-forwarded-for': xff }));
    expect(results.map(isRateLimited)).toEqual([false, false, false, true, true, true]);
  });

  it('an IPv6 client rotating addresses within its /64 shares one budget; another /64 has its own', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '4' });
    const sameNet = ['2001:db8:7:1::1', '2001:db8:7:1:ffff:ffff:ffff:fffe', '2001:0db8:0007:0001:0:0:0:9', '2001:db8:7:1::abcd', '2001:db8:7:1:1::'];
    const rotated = [];
    for (const address of sameNet) rotated.push(await share(app, address));
    expect(rotated.map(isRateLimited)).toEqual([false, false, false, false, true]);
    expect(isRateLimited(await share(app, '2001:db8:7:2::1'))).toBe(false);
  });

  it('when the window ends the client may create again', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '1', RATE_LIMIT_WINDOW: '1' });
    expect(isRateLimited(await share(app))).toBe(false);
    expectRateLimited(await share(app), 1);
    await vi.waitFor(async () => expect(isRateLimited(await share(app))).toBe(false), { timeout: 5_000, interval: 150 });
  });

  it('RATE_LIMIT_*=0 turns a limit off explicitly', async () => {
    const { app } = await start({ RATE_LIMIT_UNROUTED: '0' });
    const answers = await Promise.all(Array.from({ length: 50 }, () => app.inject({ method: 'GET', url: '/nope' })));
    expect(answers.filter(isRateLimited)).toHaveLength(0);
  });
});

describe('rate limits across instances (redis store)', () => {
  it('two server instances sharing one Redis share one budget per client', async () => {
    const prefix = uniquePrefix();
    const env = { RATE_LIMIT_CREATE: '4', RATE_LIMIT_WINDOW: String(WINDOW) };
    const a = await makeApp('redis', env, { store: await makeStore('redis', undefined, prefix) });
    const b = await makeApp('redis', env, { store: await makeStore('redis', undefined, prefix) });
    try {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await share((i % 2 ? b : a).app, '198.51.100.200'));
      expect(answers.map(isRateLimited)).toEqual([false, false, false, false, true, true]);
      // The counters live under the store's prefix (REDIS_PREFIX), beside the server's other keys.
      const redis = (a.store as RedisStore).redis;
      expect(await redis.keys(`${prefix}ratelimit:*`)).toEqual([`${prefix}ratelimit:create:198.51.100.200`]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a Redis outage does not turn the limiter into a 500', async () => {
    const port = await freePort(); // nothing listens here
    const redis = createRedisClient(`redis://127.0.0.1:${port}`);
    await redis.connect().catch(() => {});
    const store = new RedisStore(redis, uniquePrefix());
    const t = await makeApp('redis', { RATE_LIMIT_CREATE: '1', RATE_LIMIT_UNROUTED: '1' }, { store });
    try {
      const created = await share(t.app);
      expect(created.headers['x-ots-intended-status']).toBe('503');
      expect(created.json()).toEqual({ message: "We'll be back shortly!" });
      const unrouted = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
      expect(unrouted.json()).toEqual({ message: 'Not Found' });
      const status = await t.app.inject({ method: 'GET', url: '/api/v1/status' });
      expect(status.json()).toEqual({ status: 'offline', locale: 'en' });
    } finally {
      await t.close();
    }
  });
});
