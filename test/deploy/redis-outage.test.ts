// Redis faults under a running server: stopped, hung, a connection cut mid-command, a master demoted to replica.
// Requests fail fast with the contract's 503-intended error, probes tell the truth, and the server recovers on
// its own when Redis is back. Each test owns its redis-server.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { makeApp, uniquePrefix, type TestApp } from '../support/app.js';
import { RedisServer } from '../support/redis-server.js';
import { burn, call, expectBackShortly, reveal, share, type Reply } from './http.js';

/** Fail fast: no request may wait longer than this while Redis is away. */
const FAST_MS = 3_000;

interface Served {
  t: TestApp;
  origin: string;
}

/** The app on a socket, its store on `url` with a connection of its own. */
async function serve(url: string, env: Record<string, string> = {}): Promise<Served> {
  const redis = createRedisClient(url);
  await redis.connect();
  const t = await makeApp('redis', env, { store: new RedisStore(redis, uniquePrefix()) });
  return { t, origin: await t.app.listen({ host: '127.0.0.1', port: 0 }) };
}

/** For a describe block: a redis-server of its own and the app served on it, both stopped afterwards. */
function ownRedisAndApp(env: Record<string, string> = {}): { redis: RedisServer; served: Served } {
  const own = {} as { redis: RedisServer; served: Served };
  beforeAll(async () => {
    own.redis = await RedisServer.start();
    own.served = await serve(own.redis.url, env);
  });
  afterAll(async () => {
    await own.served?.t.close();
    await own.redis?.destroy();
  });
  return own;
}

function admin(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  return redis;
}

async function pidOf(url: string): Promise<number> {
  const redis = admin(url);
  try {
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
  } finally {
    redis.disconnect();
  }
}

const waitUntilReady = (origin: string) =>
  vi.waitFor(async () => expect((await call(origin, 'GET', '/ready')).status).toBe(200), { timeout: 10_000, interval: 100 });

/** Share then reveal: the whole path works. */
async function roundTrip(origin: string, value: string): Promise<void> {
  const s = await share(origin, value);
  expect((await reveal(origin, s.secret_key)).body).toMatchObject({ value });
}

/** Every kind of API request at once, N of each, against an existing secret and receipt. */
function everyKindAtOnce(origin: string, s: { secret_key: string; metadata_key: string }, n: number): Promise<Reply[]> {
  const kinds = [
    () => call(origin, 'POST', '/api/v1/share', { secret: 'during the outage' }),
    () => call(origin, 'POST', '/api/v1/generate'),
    () => reveal(origin, s.secret_key),
    () => call(origin, 'GET', `/api/v1/private/${s.metadata_key}`),
    () => burn(origin, s.metadata_key),
  ];
  return Promise.all(kinds.flatMap((k) => Array.from({ length: n }, k)));
}

describe('Redis stopped mid-run, then restarted on the same port', () => {
  const own = ownRedisAndApp();

  it('while it is down: every API request fails fast with the 503-intended error, no pile-up', async () => {
    const { origin } = own.served;
    const before = await share(origin, 'made before the outage');
    await own.redis.stop();

    const started = performance.now();
    const replies = await everyKindAtOnce(origin, before, 10);
    const wall = performance.now() - started;

    for (const reply of replies) {
      expectBackShortly(reply);
      expect(reply.ms).toBeLessThan(FAST_MS);
    }
    expect(wall).toBeLessThan(FAST_MS); // 50 at once cost about what one costs: nothing queued behind Redis
  });

  it('while it is down: /api/v1/status says offline, GET /health 200 (alive), GET /ready 503 (not ready)', async () => {
    const { origin } = own.served;
    expect(await call(origin, 'GET', '/api/v1/status')).toMatchObject({ status: 200, body: { status: 'offline', locale: 'en' } });
    expect(await call(origin, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await call(origin, 'GET', '/ready')).toMatchObject({ status: 503, body: { status: 'unavailable' } });
  });

  it('when it is back on the same port, the same server recovers without a restart', async () => {
    await own.redis.start();
    const { origin } = own.served;
    await waitUntilReady(origin);
    expect((await call(origin, 'GET', '/api/v1/status')).body).toEqual({ status: 'nominal', locale: 'en' });
    await roundTrip(origin, 'after the outage');
  });
});

describe('Redis hung (SIGSTOP) mid-run, then resumed', () => {
  const own = ownRedisAndApp();
  let pid: number;
  beforeAll(async () => {
    pid = await pidOf(own.redis.url);
  });
  afterEach(() => void process.kill(pid, 'SIGCONT'));

  it('requests give up within the command timeout instead of waiting on it; /health still answers at once', async () => {
    const { origin } = own.served;
    const before = await share(origin, 'made before the hang');
    process.kill(pid, 'SIGSTOP');

    const started = performance.now();
    const [replies, health, ready] = await Promise.all([
      everyKindAtOnce(origin, before, 4),
      call(origin, 'GET', '/health'),
      call(origin, 'GET', '/ready'),
    ]);
    for (const reply of replies) {
      expectBackShortly(reply);
      expect(reply.ms).toBeLessThan(FAST_MS);
    }
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    expect(health).toMatchObject({ status: 200 });
    expect(health.ms).toBeLessThan(500);
    expect(ready.status).toBe(503);

    process.kill(pid, 'SIGCONT');
    await waitUntilReady(origin);
    await roundTrip(origin, 'after the hang');
  });
});

describe('a connection cut while a reveal is in flight', () => {
  // No reveal rate limit: the only Redis command of the reveal is the claim itself.
  const own = ownRedisAndApp({ RATE_LIMIT_REVEAL: '0' });
  let control: Redis;
  beforeAll(async () => {
    control = admin(own.redis.url);
    await control.connect();
  });
  afterAll(() => control?.disconnect());

  it('answers 503-intended and is never replayed after the reconnect: the secret is still there to reveal', async () => {
    const { origin } = own.served;
    const s = await share(origin, 'survives a cut connection');

    // Hold every write, let the claim arrive and wait, then cut the server's connection under it.
    await control.call('CLIENT', 'PAUSE', '10000', 'WRITE');
    try {
      const pending = reveal(origin, s.secret_key);
      await vi.waitFor(async () => expect(await control.info('clients')).toContain('blocked_clients:1'), { interval: 10 });
      await control.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      const cut = await pending;
      expectBackShortly(cut);
      expect(cut.ms).toBeLessThan(FAST_MS);
      // Wait until the server's connection is back and ready (PING is not held by a write pause): a replayed claim
      // would have been sent on reconnect and be queued behind the pause by now. Waiting only for the socket was
      // not enough: under load the reveal below could come before the ready check and meet a connecting client.
      await waitUntilReady(origin);
    } finally {
      await control.call('CLIENT', 'UNPAUSE');
    }
    expect((await reveal(origin, s.secret_key)).body).toMatchObject({ value: 'survives a cut connection' });
  });
});

describe('a Redis that answers READONLY (a demoted master)', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let served: Served;
  beforeAll(async () => {
    master = await RedisServer.start();
    replica = await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    // No create rate limit: the first command of a share is the write itself.
    served = await serve(replica.url, { RATE_LIMIT_CREATE: '0' });
  });
  afterAll(async () => {
    await served?.t.close();
    await replica?.destroy();
    await master?.destroy();
  });

  it('makes writes answer the 503-intended error, never a 500', async () => {
    // Connected (the startup account writes met READONLY and reconnected), so the share's write reaches Redis.
    await waitUntilReady(served.origin);
    const reply = await call(served.origin, 'POST', '/api/v1/share', { secret: 'to a replica' });
    expectBackShortly(reply);
  });
});
