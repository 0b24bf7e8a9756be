// A full Redis (maxmemory reached under noeviction) is a clean, partial outage (docs/deployment.md): reveals, burns
// and receipt views still work, since they read or free memory and the rate count does not block them; creates
// get each version's "unavailable" answer, never a 500; the log says so once, not with a stack per request. Webhooks
// go on: a reveal and a burn on a full Redis still queue their events, and they are delivered (docs/webhooks.md).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureBuilt } from '../e2e/built.js';
import { RedisServer } from '../support/redis-server.js';
import { burn, call, expectBackShortly, reveal, share } from './http.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from './server-process.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { startReceiver, waitFor, type Receiver } from '../webhooks/receiver.js';

describe('Redis full under noeviction', () => {
  let redis: RedisServer;
  let server: ServerProcess;
  let control: Redis;
  const made: { secret_key: string; metadata_key: string }[] = [];
  let prefix: string;
  let receiver: Receiver;
  /** The webhook events received, as `type shortid`. */
  const events = () => receiver.posts.map((p) => JSON.parse(p.body) as { type: string; data: { shortid: string } }).map((p) => `${p.type} ${p.data.shortid}`);

  beforeAll(async () => {
    await ensureBuilt();
    receiver = await startReceiver();
    redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
    control = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    // Real rate limits: the count is a write, and a full Redis must not let it block a reveal.
    const webhooks = { WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: newSigningSecret(), WEBHOOK_EVENTS: 'secret.created,secret.revealed,secret.burned' };
    const env = sharedRedisEnv(redis.url, { RATE_LIMIT_REVEAL: '100', RATE_LIMIT_RECEIPT: '100', RATE_LIMIT_BURN: '100', ...webhooks });
    prefix = env.REDIS_PREFIX!;
    server = await startServerProcess(env);
    for (const n of [1, 2, 3, 4]) made.push(await share(server.origin, `kept before the store filled up ${n}`));
    await waitFor('the created events', () => events().length === 4);
    // Fill it: a 4 MiB key of the operator's, then a limit 1 MiB above what Redis held without it.
    const used = Number(/used_memory:(\d+)/.exec(await control.info('memory'))![1]);
    await control.set('filler', 'x'.repeat(4 * 1024 * 1024));
    await control.config('SET', 'maxmemory', String(used + 1024 * 1024));
  }, 60_000);
  afterAll(async () => {
    server?.kill();
    await server?.exited;
    control?.disconnect();
    await redis?.destroy();
    await receiver?.close();
  });

  it('creates answer each version its unavailable error, never 500, and nothing is stored', async () => {
    const keysBefore = await control.dbsize();
    expectBackShortly(await call(server.origin, 'POST', '/api/v1/share', { secret: 'no room' }));
    const v2 = await fetch(`${server.origin}/api/v2/secret/conceal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: { secret: 'no room' } }),
    });
    expect(v2.status).toBe(503);
    expect(await v2.json()).toMatchObject({ error_type: 'ServiceUnavailable' });
    const page = await fetch(`${server.origin}/`, { method: 'POST', body: new URLSearchParams({ secret: 'no room' }) });
    expect(page.status).toBe(503);
    expect(await control.dbsize()).toBe(keysBefore);
  });

  it('/ready stays 200 (reveals still work) and says the store is full', async () => {
    const ready = await call(server.origin, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', storeFull: 'true' });
  });

  it('a reveal still works, and a reveal of an unknown key is Unknown secret, not a 500', async () => {
    expect((await reveal(server.origin, made[0]!.secret_key)).body).toMatchObject({ value: 'kept before the store filled up 1' });
    expect((await reveal(server.origin, made[0]!.secret_key)).body).toMatchObject({ message: 'Unknown secret' });
  });

  it('a receipt view and a burn still work', async () => {
    const view = await call(server.origin, 'POST', `/api/v1/private/${made[1]!.metadata_key}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ metadata_key: made[1]!.metadata_key });
    const burned = await burn(server.origin, made[2]!.metadata_key);
    expect(burned.status).toBe(200);
    expect((await reveal(server.origin, made[2]!.secret_key)).body).toMatchObject({ message: 'Unknown secret' });
  });

  it('the reveal and the burn on the full Redis queued their webhook events, and they were delivered', async () => {
    const short = (i: number) => made[i]!.metadata_key.slice(0, 8);
    await waitFor('the revealed and burned events', () => events().includes(`secret.revealed ${short(0)}`) && events().includes(`secret.burned ${short(2)}`));
    expect(events().filter((e) => !e.startsWith('secret.created'))).toEqual([`secret.revealed ${short(0)}`, `secret.burned ${short(2)}`]);
  });

  it('a receipt whose secret vanished still answers its state (orphaned) when there is no room to record it', async () => {
    await control.del(`${prefix}secret:{${made[3]!.secret_key}}`);
    const view = await call(server.origin, 'POST', `/api/v1/private/${made[3]!.metadata_key}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ state: 'orphaned' });
  });

  it('logs one line that the store is full, no stack per request', async () => {
    for (let i = 0; i < 5; i++) await call(server.origin, 'POST', '/api/v1/share', { secret: 'still no room' });
    // Log lines go out in blocks each second: wait for this last request's own line before counting.
    await server.waitForLog('store full');
    await call(server.origin, 'GET', '/api/v1/status');
    await vi.waitFor(() => expect(server.logs.at(-1)).toContain('/api/v1/status'), { timeout: 3_000 });
    const full = server.logs.filter((l) => l.includes('store full'));
    expect(full).toHaveLength(1);
    expect(server.logs.some((l) => l.includes('"stack"'))).toBe(false);
  });

  it('once memory is freed, creates work again', async () => {
    await control.del('filler');
    expect((await call(server.origin, 'POST', '/api/v1/share', { secret: 'room again' })).status).toBe(200);
    expect((await call(server.origin, 'GET', '/ready')).body).not.toHaveProperty('storeFull');
  });
});
