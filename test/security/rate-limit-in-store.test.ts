// The rate count taken in the same Redis script as the create or reveal it guards (single Redis and Sentinel; on
// Cluster it is a command of its own, before the operation). What a user or an attacker could check: one command
// per request, a refusal that changes nothing, exact budgets under concurrency and across instances, and requests
// that never reach the store (bad input, wrong credentials, a v2 look without `continue`) counted all the same.
import type { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/store/redis-store.js';
import { ALICE, makeApp, makeStore, uniquePrefix, type TestApp } from '../support/app.js';
import { topologyFromEnv } from '../support/topology.js';
import { expectRateLimited, isRateLimited, randomKey, share } from './support.js';

const WINDOW = 60;
const cluster = topologyFromEnv() === 'cluster';

/** Counts the commands a store's client sends (each a round trip of its own, whatever it carries). */
function countCommands(store: RedisStore): { names: string[] } {
  const sent = { names: [] as string[] };
  const redis = store.redis as unknown as { sendCommand: (cmd: { name: string }) => unknown };
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = (cmd) => {
    sent.names.push(cmd.name);
    return original(cmd);
  };
  return sent;
}

/** Every key under `pattern`, on each master of a Cluster. */
async function keysOf(store: RedisStore, pattern: string): Promise<string[]> {
  const { redis } = store;
  const nodes = redis.isCluster ? (redis as unknown as Cluster).nodes('master') : [redis];
  return (await Promise.all(nodes.map((n) => n.keys(pattern)))).flat();
}

describe('rate counts in the store step (redis)', () => {
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>, prefix = uniquePrefix()) => {
    const t = await makeApp('redis', { RATE_LIMIT_WINDOW: String(WINDOW), ...env }, { store: await makeStore('redis', undefined, prefix) });
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });

  it.skipIf(cluster)('a create and a reveal are one Redis command each, rate count included (v1, v2, v3 guest)', async () => {
    const { app, store } = await start({ RATE_LIMIT_CREATE: '100', RATE_LIMIT_REVEAL: '100' });
    const sent = countCommands(store as RedisStore);
    const created = await share(app);
    const key = (created.json() as { secret_key: string }).secret_key;
    const revealed = await app.inject({ method: 'POST', url: `/api/v1/secret/${key}` });
    expect(revealed.json()).toMatchObject({ value: 'rate me' });
    const v2 = await app.inject({ method: 'POST', url: '/api/v2/secret/conceal', payload: { secret: { secret: 'two' } } });
    const v2Key = (v2.json() as { record: { secret: { key: string } } }).record.secret.key;
    const v2Revealed = await app.inject({ method: 'POST', url: `/api/v2/secret/${v2Key}/reveal`, payload: { continue: true } });
    expect(v2Revealed.json()).toMatchObject({ record: { secret_value: 'two', state: 'revealed', lifespan: 604800 } });
    const v3 = await app.inject({ method: 'POST', url: '/api/v3/guest/secret/conceal', payload: { secret: { secret: 'three' } } });
    const v3Key = (v3.json() as { record: { secret: { key: string } } }).record.secret.key;
    await app.inject({ method: 'POST', url: `/api/v3/guest/secret/${v3Key}/reveal`, payload: { continue: true } });
    // ioredis sends a script it has not loaded as EVAL once, then EVALSHA: either is one command.
    expect(sent.names).toHaveLength(6);
    expect(sent.names.every((n) => n === 'evalsha' || n === 'eval')).toBe(true);
  });

  it.skipIf(cluster)('a v2 look at a secret (show, status, reveal without continue) is one Redis command', async () => {
    const { app, store } = await start({ RATE_LIMIT_REVEAL: '100' });
    const { secret_key } = (await share(app)).json() as { secret_key: string };
    const sent = countCommands(store as RedisStore);
    expect((await app.inject({ method: 'GET', url: `/api/v2/secret/${secret_key}` })).json()).toMatchObject({ record: { key: secret_key, lifespan: 604800 } });
    expect((await app.inject({ method: 'GET', url: `/api/v2/secret/${secret_key}/status` })).json()).toMatchObject({ record: { state: 'new' } });
    expect((await app.inject({ method: 'POST', url: `/api/v2/secret/${secret_key}/reveal`, payload: {} })).json()).toMatchObject({ details: { continue: false } });
    expect(sent.names).toHaveLength(3);
  });

  it('a status answered without the store (a malformed key) is counted before it answers, and refused past the budget', async () => {
    const { app } = await start({ RATE_LIMIT_REVEAL: '2' });
    const status = () => app.inject({ method: 'GET', url: '/api/v2/secret/NOT-A-KEY/status', remoteAddress: '192.0.2.90' });
    for (let i = 0; i < 2; i++) expect((await status()).json()).toEqual({ success: true, record: { state: 'unknown' } });
    expect((await status()).statusCode).toBe(429);
  });

  it.skipIf(cluster)('a receipt view is one Redis command, first view (new → viewed) and later ones alike (v1, v2)', async () => {
    const { app, store } = await start({ RATE_LIMIT_RECEIPT: '100' });
    const { metadata_key } = (await share(app)).json() as { metadata_key: string };
    const sent = countCommands(store as RedisStore);
    const first = await app.inject({ method: 'GET', url: `/api/v1/private/${metadata_key}` });
    expect(first.json()).toMatchObject({ state: 'new' });
    const again = await app.inject({ method: 'GET', url: `/api/v1/private/${metadata_key}` });
    expect(again.json()).toMatchObject({ state: 'viewed' });
    const v2 = await app.inject({ method: 'GET', url: `/api/v2/receipt/${metadata_key}` });
    expect(v2.json()).toMatchObject({ record: { state: 'new' } });
    expect(sent.names).toHaveLength(3);
  });

  it.skipIf(cluster)("an account's create is its account lookup and one script: secret, receipt, recent list and count", async () => {
    const { app, store } = await start({ RATE_LIMIT_CREATE: '100' });
    const sent = countCommands(store as RedisStore);
    const authorization = 'Basic ' + Buffer.from(`${ALICE.email}:${ALICE.token}`).toString('base64');
    const created = await app.inject({ method: 'POST', url: '/api/v1/share', headers: { authorization }, payload: { secret: 'mine' } });
    expect(created.statusCode).toBe(200);
    expect(sent.names.filter((n) => n !== 'hgetall')).toHaveLength(1);
    const recent = await app.inject({ method: 'GET', url: '/api/v1/private/recent', headers: { authorization } });
    expect((recent.json() as { metadata_key: string }[]).map((r) => r.metadata_key)).toEqual([(created.json() as { metadata_key: string }).metadata_key]);
  });

  it('the count rides in the store step on single Redis and Sentinel, not on Cluster (its counter is in another slot)', async () => {
    expect((await start({})).store.chargesRide).toBe(!cluster);
  });

  it.skipIf(cluster)('a client found past its budget is refused on arrival, with no Redis command', async () => {
    const { app, store } = await start({ RATE_LIMIT_CREATE: '2' });
    for (let i = 0; i < 3; i++) await share(app, '198.51.100.9');
    const sent = countCommands(store as RedisStore);
    for (let i = 0; i < 5; i++) expectRateLimited(await share(app, '198.51.100.9'), WINDOW);
    expect(sent.names).toEqual([]);
  });

  it('a create refused by the count stores nothing', async () => {
    const prefix = uniquePrefix();
    const a = await start({ RATE_LIMIT_CREATE: '3' }, prefix);
    // A second instance on the same Redis has not seen the refusal: its own create is refused by the count itself.
    const b = await start({ RATE_LIMIT_CREATE: '3' }, prefix);
    for (let i = 0; i < 3; i++) expect(isRateLimited(await share(a.app, '198.51.100.10'))).toBe(false);
    const store = a.store as RedisStore;
    const before = (await keysOf(store, `${prefix}secret:*`)).length;
    expectRateLimited(await share(b.app, '198.51.100.10'), WINDOW);
    expect(b.logs.filter((l) => l.includes('rate limit exceeded'))).toHaveLength(1);
    expect((await keysOf(store, `${prefix}secret:*`)).length).toBe(before);
    expect(await store.redis.get(`${prefix}ratelimit:create:198.51.100.10`)).toBe('4');
  });

  it("a reveal refused by the count consumes nothing: the secret's recipient still gets it", async () => {
    const prefix = uniquePrefix();
    const a = await start({ RATE_LIMIT_REVEAL: '2' }, prefix);
    const b = await start({ RATE_LIMIT_REVEAL: '2' }, prefix);
    const key = ((await share(a.app, '192.0.2.50')).json() as { secret_key: string }).secret_key;
    for (let i = 0; i < 2; i++) await a.app.inject({ method: 'POST', url: `/api/v1/secret/${randomKey()}`, remoteAddress: '203.0.113.77' });
    // The guesser now holds the right key, on an instance that does not know it is past its budget.
    expectRateLimited(await b.app.inject({ method: 'POST', url: `/api/v1/secret/${key}`, remoteAddress: '203.0.113.77' }), WINDOW);
    const v2 = await b.app.inject({ method: 'POST', url: `/api/v2/secret/${key}/reveal`, remoteAddress: '203.0.113.78', payload: { continue: true } });
    expect(v2.json()).toMatchObject({ record: { secret_value: 'rate me' } });
  });

  it('of 40 concurrent creates and reveals over two instances, exactly the budget gets through', async () => {
    const prefix = uniquePrefix();
    const a = await start({ RATE_LIMIT_CREATE: '15', RATE_LIMIT_REVEAL: '15' }, prefix);
    const b = await start({ RATE_LIMIT_CREATE: '15', RATE_LIMIT_REVEAL: '15' }, prefix);
    const creates = await Promise.all(Array.from({ length: 40 }, (_, i) => share((i % 2 ? b : a).app, '192.0.2.60')));
    expect(creates.filter((r) => !isRateLimited(r))).toHaveLength(15);
    const keys = creates.filter((r) => !isRateLimited(r)).map((r) => (r.json() as { secret_key: string }).secret_key);
    const urls = Array.from({ length: 40 }, (_, i) => keys[i % keys.length]!);
    const reveals = await Promise.all(urls.map((k, i) => (i % 2 ? b : a).app.inject({ method: 'POST', url: `/api/v1/secret/${k}`, remoteAddress: '192.0.2.61' })));
    expect(reveals.filter((r) => !isRateLimited(r))).toHaveLength(15);
  });

  it('requests that fail before the store are counted too, and refused past the budget', async () => {
    const { app } = await start({ RATE_LIMIT_CREATE: '3', RATE_LIMIT_REVEAL: '2' });
    const empty = () => app.inject({ method: 'POST', url: '/api/v1/share', remoteAddress: '192.0.2.70', payload: { secret: '' } });
    const wrongToken = () =>
      app.inject({ method: 'POST', url: '/api/v1/share', remoteAddress: '192.0.2.70', headers: { authorization: 'Basic ' + Buffer.from('alice@example.com:wrong').toString('base64') }, payload: { secret: 'x' } });
    expect((await empty()).json()).toEqual({ message: 'You did not provide anything to share' });
    expect((await wrongToken()).json()).toEqual({ message: 'Not authorized' });
    expect((await empty()).statusCode).toBe(404);
    // The budget of 3 is spent: a good create, a bad one and a wrong token are all refused now.
    expectRateLimited(await share(app, '192.0.2.70'), WINDOW);
    expectRateLimited(await empty(), WINDOW);
    expectRateLimited(await wrongToken(), WINDOW);
    // A malformed key never reaches the store; it is counted all the same.
    const bad = () => app.inject({ method: 'POST', url: '/api/v1/secret/NOT-A-KEY', remoteAddress: '192.0.2.70' });
    expect((await bad()).json()).toMatchObject({ message: 'Unknown secret' });
    expect((await bad()).json()).toMatchObject({ message: 'Unknown secret' });
    expectRateLimited(await bad(), WINDOW);
  });

  it('a v2 reveal without continue (a look, no claim) is counted before it answers, and refused past the budget', async () => {
    const { app, logs } = await start({ RATE_LIMIT_REVEAL: '2' });
    const key = ((await share(app)).json() as { secret_key: string }).secret_key;
    const look = () => app.inject({ method: 'POST', url: `/api/v2/secret/${key}/reveal`, remoteAddress: '192.0.2.80', payload: {} });
    for (let i = 0; i < 2; i++) expect((await look()).json()).toMatchObject({ success: true, details: { continue: false } });
    const refused = await look();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error_type: 'LimitExceeded' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // One refusal, one warning.
    expect(logs.filter((l) => l.includes('rate limit exceeded'))).toHaveLength(1);
  });
});
