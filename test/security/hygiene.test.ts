// A curious operator reads the logs and dumps Redis; a shared cache or browser keeps what it is given.
// test/api/hygiene.test.ts sweeps logs (every level) and the Redis dump for values, passphrases, tokens and keys
// after every flow; this file adds what that sweep does not look for: the master keys and a recipient's address,
// in any encoding, and the Authorization header that @fastify/multipart logs at trace level (now redacted). And it
// checks that every API answer tells caches to keep nothing and browsers not to sniff.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/store/redis-store.js';
import { ALICE, basic, makeApp, STORE_KINDS, TEST_MASTER_KEY, type TestApp } from '../support/app.js';
import { dumpValues } from '../support/redis-inspect.js';

const PREVIOUS_MASTER_KEY = 'b4e2d3c5f6a7081920a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061';

/** The forms a careless implementation would store or log a text in. */
function encodings(text: string): string[] {
  const b = Buffer.from(text);
  return [text, b.toString('base64'), b.toString('base64url'), b.toString('hex'), encodeURIComponent(text)];
}

describe('an operator reading logs (LOG_LEVEL=trace) and a Redis dump finds no master key or recipient address', () => {
  let t: TestApp;
  const recipient = `rcpt-${Math.random().toString(36).slice(2, 10)}@recipient-domain.example`;
  const forbidden: Record<string, string> = {
    'master key': TEST_MASTER_KEY,
    'previous master key': PREVIOUS_MASTER_KEY,
    'recipient address': recipient,
    'account token': ALICE.token,
  };

  beforeAll(async () => {
    t = await makeApp('redis', { LOG_LEVEL: 'trace', OTS_SECRET_PREVIOUS: PREVIOUS_MASTER_KEY });
    const boundary = 'hygiene';
    const multipart = (fields: Record<string, string>) =>
      Object.entries(fields)
        .map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`)
        .join('') + `--${boundary}--\r\n`;
    // An account shares to a recipient by multipart (the body type whose parser logs request headers at trace)
    // and by urlencoded; the receipt is viewed; one secret stays unread for the dump to find.
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/share',
      headers: { authorization: basic(ALICE), 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: multipart({ secret: 'to a recipient', recipient }),
    });
    const { metadata_key: meta } = res.json() as { metadata_key: string };
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/share',
      headers: { authorization: basic(ALICE), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ secret: 'again', recipient }).toString(),
    });
    const receipt = await t.app.inject({ method: 'GET', url: `/api/v1/private/${meta}`, headers: { authorization: basic(ALICE) } });
    expect((receipt.json() as { recipient: string[] }).recipient).toEqual([expect.stringMatching(/^\w{2}\*{5}@r\*{5}\.example$/)]);
  });
  afterAll(() => t.close());

  it('the logs hold none of them, nor any Authorization header', () => {
    const logs = t.logs.join('');
    expect(t.logs.some((line) => line.includes('"level":10'))).toBe(true); // trace lines really were written
    const leaks = Object.entries(forbidden).flatMap(([name, text]) => encodings(text).filter((e) => logs.includes(e)).map(() => name));
    expect(leaks).toEqual([]);
    expect(logs).not.toMatch(/authorization/i);
  });

  it('the Redis dump (every key, rate-limit counters included) holds none of them', async () => {
    const { bytes } = await dumpValues((t.store as RedisStore).redis, '*');
    const dump = bytes.toString('latin1');
    const leaks = Object.entries(forbidden).flatMap(([name, text]) =>
      encodings(text).filter((e) => dump.includes(Buffer.from(e).toString('latin1'))).map(() => name),
    );
    expect(leaks).toEqual([]);
  });
});

describe.each(STORE_KINDS)('API responses tell caches and browsers to keep nothing (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { RATE_LIMIT_UNROUTED: '2' });
  });
  afterAll(() => t.close());

  it('success, error, unrouted, rate-limited and malformed-URL answers all carry no-store and nosniff', async () => {
    const shared = await t.app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 's' } });
    const { secret_key: key, metadata_key: meta } = shared.json() as { secret_key: string; metadata_key: string };
    const answers = {
      share: shared,
      generate: await t.app.inject({ method: 'POST', url: '/api/v1/generate' }),
      receipt: await t.app.inject({ method: 'GET', url: `/api/v1/private/${meta}` }),
      reveal: await t.app.inject({ method: 'POST', url: `/api/v1/secret/${key}` }),
      status: await t.app.inject({ method: 'GET', url: '/api/v1/status' }),
      unknown: await t.app.inject({ method: 'POST', url: `/api/v1/secret/${key}` }),
      unauthorized: await t.app.inject({ method: 'GET', url: '/api/v1/authcheck' }),
      tooLarge: await t.app.inject({ method: 'POST', url: '/api/v1/share', payload: { secret: 'x'.repeat(20_000) } }),
      badType: await t.app.inject({ method: 'POST', url: '/api/v1/share', payload: '<x/>', headers: { 'content-type': 'text/xml' } }),
      badUrl: await t.app.inject({ method: 'GET', url: '/api/v1/secret/%E0%A4%A' }),
      unrouted: await t.app.inject({ method: 'GET', url: '/api/v1/nope' }),
      unrouted2: await t.app.inject({ method: 'GET', url: '/api/v1/nope' }),
      rateLimited: await t.app.inject({ method: 'GET', url: '/api/v1/nope' }),
    };
    expect(answers.rateLimited.headers['x-ots-intended-status']).toBe('429');
    expect(answers.badUrl.json()).toEqual({ message: 'Bad request' });
    const missing = Object.entries(answers)
      .filter(([, r]) => r.headers['cache-control'] !== 'no-store' || r.headers['x-content-type-options'] !== 'nosniff')
      .map(([name, r]) => `${name}: ${String(r.headers['cache-control'])} / ${String(r.headers['x-content-type-options'])}`);
    expect(missing).toEqual([]);
  });
});
