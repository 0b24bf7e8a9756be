// Issue 20: a Redis that may evict keys loses acknowledged secrets silently. `node dist/server.js` refuses to start
// on one unless REDIS_ALLOW_EVICTION=true; a running server whose Redis turns evicting says so on /ready (503) and
// in a metric; a Redis that will not answer CONFIG gets one warning. Each test owns its redis-server.
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, startServer } from '../../src/index.js';
import { ensureBuilt, runBuilt } from '../e2e/built.js';
import { TEST_MASTER_KEY } from '../support/app.js';
import { freePort, RedisServer } from '../support/redis-server.js';
import { startCluster } from '../support/topology-cluster.js';
import { call } from './http.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from './server-process.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function redisWith(...args: string[]): Promise<RedisServer> {
  const redis = await RedisServer.start({ args });
  cleanup.push(() => redis.destroy());
  return redis;
}

async function serverOn(redis: RedisServer, extra: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess(sharedRedisEnv(redis.url, extra));
  cleanup.push(() => server.kill());
  return server;
}

/** An admin connection for CONFIG SET and CLIENT KILL. */
async function admin(redis: RedisServer): Promise<Redis> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  cleanup.push(() => client.disconnect());
  await client.ping();
  return client;
}

const ready = async (origin: string) => {
  const reply = await call(origin, 'GET', '/ready');
  return { status: reply.status, body: reply.body as Record<string, unknown> };
};

beforeAll(() => ensureBuilt(), 120_000);

describe('at start', () => {
  it.each(['allkeys-lru', 'volatile-lru'])('maxmemory-policy %s: exits 78 naming the policy and noeviction', async (policy) => {
    const redis = await redisWith('--maxmemory-policy', policy);
    const result = await runBuilt('server.js', [], sharedRedisEnv(redis.url));
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`maxmemory-policy is ${policy}`);
    expect(result.stderr).toContain('CONFIG SET maxmemory-policy noeviction');
    expect(result.stderr).toContain('REDIS_ALLOW_EVICTION=true');
  });

  it('startServer() (the library entry) rejects with a ConfigError, and starts with redisAllowEviction', async () => {
    const redis = await redisWith('--maxmemory-policy', 'allkeys-lru');
    const options = { redisUrl: redis.url, secret: TEST_MASTER_KEY };
    const refused = startServer(options);
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow('CONFIG SET maxmemory-policy noeviction');
    const server = await startServer({ ...options, redisAllowEviction: true });
    cleanup.push(() => server.close());
    expect(await ready(server.url)).toMatchObject({ status: 200, body: { evictionPolicy: 'allkeys-lru' } });
  });

  it('maxmemory-policy allkeys-lru with REDIS_ALLOW_EVICTION=true: starts with a warning, /ready 200 names the policy', async () => {
    const redis = await redisWith('--maxmemory-policy', 'allkeys-lru');
    const server = await serverOn(redis, { REDIS_ALLOW_EVICTION: 'true' });
    expect(await server.waitForLog('maxmemory-policy allkeys-lru evicts secrets')).toMatchObject({ level: 40 });
    expect(await ready(server.origin)).toEqual({ status: 200, body: { status: 'ready', store: 'redis', evictionPolicy: 'allkeys-lru' } });
  });

  it('maxmemory-policy noeviction: starts, /ready 200', async () => {
    const redis = await redisWith('--maxmemory-policy', 'noeviction');
    const server = await serverOn(redis);
    expect(await ready(server.origin)).toEqual({ status: 200, body: { status: 'ready', store: 'redis', evictionPolicy: 'noeviction' } });
  });

  it('CONFIG renamed away (managed Redis): starts, warns once, /ready 200', async () => {
    const redis = await redisWith('--rename-command', 'CONFIG', '');
    const server = await serverOn(redis);
    expect(await server.waitForLog('cannot read Redis maxmemory-policy')).toMatchObject({ level: 40 });
    expect(await ready(server.origin)).toEqual({ status: 200, body: { status: 'ready', store: 'redis', evictionPolicy: 'unknown' } });
    // Reconnections read again but do not warn again.
    await (await admin(redis)).client('KILL', 'TYPE', 'normal');
    await vi.waitFor(async () => expect((await ready(server.origin)).status).toBe(200), { timeout: 5_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(server.logs.filter((line) => line.includes('cannot read Redis maxmemory-policy'))).toHaveLength(1);
  });
});

describe('on a Cluster', () => {
  it('every master is read: one evicting master of three refuses the start; all noeviction starts', async () => {
    const cluster = await startCluster();
    cleanup.push(() => cluster.stop());
    const seed = `127.0.0.1:${cluster.servers[0]!.port}`;
    const { REDIS_URL: _single, ...env } = sharedRedisEnv('', { REDIS_CLUSTER_NODES: seed });
    const third = await admin(cluster.servers[2]!);
    await third.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    const result = await runBuilt('server.js', [], env);
    expect(result.code, result.stdout).toBe(78);
    expect(result.stderr).toContain('maxmemory-policy is allkeys-lfu');

    await third.config('SET', 'maxmemory-policy', 'noeviction');
    const server = await startServerProcess(env);
    cleanup.push(() => server.kill());
    expect(await ready(server.origin)).toEqual({ status: 200, body: { status: 'ready', store: 'redis', evictionPolicy: 'noeviction' } });
  }, 60_000);
});

describe('a running server whose Redis changes policy', () => {
  it('Redis away at start, then up with allkeys-lru: the first connection is checked, /ready 503 naming it', async () => {
    const port = await freePort();
    const server = await startServerProcess(sharedRedisEnv(`redis://127.0.0.1:${port}`));
    cleanup.push(() => server.kill());
    expect((await ready(server.origin)).status).toBe(503);
    const redis = await RedisServer.start({ port, args: ['--maxmemory-policy', 'allkeys-lru'] });
    cleanup.push(() => redis.destroy());
    await vi.waitFor(async () => expect((await ready(server.origin)).body).toMatchObject({ reason: 'maxmemory-policy allkeys-lru evicts secrets; set noeviction' }), {
      timeout: 5_000,
      interval: 50,
    });
  });

  it('turns evicting on reconnect: /ready 503 naming it, one error logged; back to noeviction: 200 again', async () => {
    const redis = await redisWith('--maxmemory-policy', 'noeviction');
    const server = await serverOn(redis);
    const control = await admin(redis);
    expect((await ready(server.origin)).status).toBe(200);

    await control.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await control.client('KILL', 'TYPE', 'normal');
    // (While it reconnects /ready is 503 for the outage, without a reason: wait for the policy's.)
    const evicting = {
      status: 503,
      body: { status: 'unavailable', store: 'redis', reason: 'maxmemory-policy allkeys-lru evicts secrets; set noeviction', evictionPolicy: 'allkeys-lru' },
    };
    await vi.waitFor(async () => expect(await ready(server.origin)).toEqual(evicting), { timeout: 5_000, interval: 50 });
    expect(await server.waitForLog('/ready answers 503')).toMatchObject({ level: 50, evictionPolicy: 'allkeys-lru' });
    expect((await call(server.origin, 'GET', '/health')).status).toBe(200);

    // A second reconnect on the same policy logs nothing new.
    await control.client('KILL', 'TYPE', 'normal');
    await new Promise((r) => setTimeout(r, 500));
    expect(await ready(server.origin)).toEqual(evicting);
    await control.config('SET', 'maxmemory-policy', 'noeviction');
    await control.client('KILL', 'TYPE', 'normal');
    await vi.waitFor(async () => expect(await ready(server.origin)).toEqual({ status: 200, body: { status: 'ready', store: 'redis', evictionPolicy: 'noeviction' } }), {
      timeout: 5_000,
      interval: 50,
    });
    expect(server.logs.filter((line) => line.includes('/ready answers 503'))).toHaveLength(1);
  });
});

describe('the metric on METRICS_PORT', () => {
  const gauge = async (server: ServerProcess) => {
    const { url } = (await server.waitForLog('metrics listener started')) as { url: string };
    const text = await (await fetch(url)).text();
    return text.split('\n').filter((line) => line.startsWith('ots_store_eviction_policy_safe'));
  };

  it('says 1 for noeviction, 0 for an evicting policy, -1 when CONFIG is refused', async () => {
    const safe = await redisWith('--maxmemory-policy', 'noeviction');
    expect(await gauge(await serverOn(safe, { METRICS_PORT: '0' }))).toEqual(['ots_store_eviction_policy_safe{policy="noeviction"} 1']);
    const evicting = await redisWith('--maxmemory-policy', 'volatile-lru');
    const allowed = await serverOn(evicting, { METRICS_PORT: '0', REDIS_ALLOW_EVICTION: 'true' });
    expect(await gauge(allowed)).toEqual(['ots_store_eviction_policy_safe{policy="volatile-lru"} 0']);
    const managed = await redisWith('--rename-command', 'CONFIG', '');
    expect(await gauge(await serverOn(managed, { METRICS_PORT: '0' }))).toEqual(['ots_store_eviction_policy_safe{policy="unknown"} -1']);
  });
});
