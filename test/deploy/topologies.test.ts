// REDIS_URL (redis:// and rediss://), REDIS_CLUSTER_NODES and REDIS_SENTINELS as an operator sets them: parsed and
// checked by the config schema, then used by `node dist/server.js` against a real TLS Redis, a three-master
// Cluster and a Sentinel set started here, including a Sentinel failover the running server follows, and a
// Cluster losing its masters and getting them back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { describeStore, redisTargetOf } from '../../src/store/index.js';
import { clusterOptions, createRedisClient, sentinelOptions } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { ensureBuilt } from '../e2e/built.js';
import { HIGH_RATE_LIMITS, makeApp, TEST_MASTER_KEY, uniquePrefix, type TestApp } from '../support/app.js';
import { freePort, RedisServer } from '../support/redis-server.js';
import { startCluster, type ClusterTopology } from '../support/topology-cluster.js';
import { SENTINEL_MASTER_NAME, startSentinelSet, type SentinelSet } from '../support/topology-sentinel.js';
import { call, expectBackShortly, reveal, share, type Reply } from './http.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const KEY = { OTS_SECRET: TEST_MASTER_KEY };

describe('Redis topology settings', () => {
  it('parse cluster seeds and sentinels as host:port lists, IPv6 in brackets', () => {
    const c = loadConfig({ ...KEY, REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-2.internal:7001,[::1]:7002 ' });
    expect(redisTargetOf(c)).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-2.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    const s = loadConfig({ ...KEY, REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'ots' });
    expect(redisTargetOf(s)).toEqual({
      kind: 'sentinel',
      name: 'ots',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
    });
    expect(redisTargetOf(loadConfig({}))).toBeUndefined(); // the memory store
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, 'REDIS_CLUSTER_NODES entries must be host:port'],
    [{ REDIS_SENTINELS: 's1:99999' }, 'REDIS_SENTINELS entries must be host:port'],
    [{ REDIS_SENTINELS: ' , ' }, 'REDIS_SENTINELS must list at least one host:port'],
    [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }, 'Set only one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS'],
  ])('refuse %j with a clear message', (env, message) => {
    expect(() => loadConfig({ ...KEY, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...KEY, ...env })).toThrow(message);
  });

  it.each(['REDIS_URL=redis://r:6379', 'REDIS_CLUSTER_NODES=r:7000', 'REDIS_SENTINELS=s:26379'])(
    'require OTS_SECRET with %s',
    (setting) => {
      const [name, value] = setting.split('=');
      expect(() => loadConfig({ [name!]: value })).toThrow(`OTS_SECRET is required when ${name} is set`);
    },
  );

  it('pass credentials and TLS to every Cluster node and to the Sentinel-managed master, keeping fail-fast options', () => {
    const auth = { username: 'ots', password: 'pw', sentinelPassword: 'spw', tls: true };
    const cluster = clusterOptions(auth);
    expect(cluster).toMatchObject({ enableOfflineQueue: false, lazyConnect: true });
    expect(cluster.redisOptions).toMatchObject({ username: 'ots', password: 'pw', tls: {}, maxRetriesPerRequest: 0 });
    const sentinel = sentinelOptions({ kind: 'sentinel', sentinels: [{ host: 's', port: 1 }], name: 'm' }, auth);
    expect(sentinel).toMatchObject({
      name: 'm',
      role: 'master',
      password: 'pw',
      sentinelPassword: 'spw',
      tls: {},
      sentinelTLS: {},
      enableTLSForSentinelMode: true,
      enableOfflineQueue: false,
    });
  });

  it('log where the store is without credentials', () => {
    const c = loadConfig({ ...KEY, REDIS_URL: 'rediss://ots:hunter2@redis.internal:6380/2' });
    expect(describeStore(c)).toBe('redis rediss://redis.internal:6380/2');
    expect(describeStore(c)).not.toContain('hunter2');
  });
});

/** Starts the built server on `redis` settings and checks a share/reveal round trip for many keys (many slots). */
async function serveOn(redisEnv: Record<string, string>, extra: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({
    ...redisEnv,
    ...KEY,
    REDIS_PREFIX: uniquePrefix(),
    HOST: '127.0.0.1',
    PORT: '0',
    ...HIGH_RATE_LIMITS,
    ...extra,
  });
  const connected = await server.waitForLog('store connected');
  expect(connected.reachable).toBe(true);
  return server;
}

async function roundTrips(origin: string, n: number): Promise<void> {
  const made = await Promise.all(Array.from({ length: n }, (_, i) => share(origin, `round trip ${i}`)));
  const replies = await Promise.all(made.map((s) => reveal(origin, s.secret_key)));
  replies.forEach((r, i) => expect(r.body).toMatchObject({ value: `round trip ${i}` }));
}

describe('node dist/server.js on each topology', () => {
  const servers: ServerProcess[] = [];
  /** Stops what a test started (Redis servers, a Cluster, a Sentinel set). */
  const stops: (() => Promise<void>)[] = [];
  beforeAll(ensureBuilt);
  afterAll(async () => {
    servers.forEach((s) => s.kill());
    await Promise.all(stops.map((stop) => stop()));
  });

  it('REDIS_URL=rediss:// talks TLS to Redis, trusting a private CA through NODE_EXTRA_CA_CERTS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-tls-'));
    try {
      const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
      execFileSync('openssl', [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
      ], { stdio: 'ignore' });
      const tlsPort = await freePort();
      const tlsArgs = ['--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no'];
      const redis = await RedisServer.start({ args: tlsArgs });
      stops.push(() => redis.destroy());

      const server = await serveOn({ REDIS_URL: `rediss://127.0.0.1:${tlsPort}` }, { NODE_EXTRA_CA_CERTS: cert });
      servers.push(server);
      await roundTrips(server.origin, 5);
      // Not trusting the certificate, the server never talks to Redis: every request is refused as unavailable.
      const untrusting = await startServerProcess({ REDIS_URL: `rediss://127.0.0.1:${tlsPort}`, ...KEY, HOST: '127.0.0.1', PORT: '0' });
      servers.push(untrusting);
      expect((await call(untrusting.origin, 'GET', '/ready')).status).toBe(503);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('REDIS_CLUSTER_NODES with one seed finds the three masters and serves keys from every slot range', async () => {
    const cluster = await startCluster();
    stops.push(cluster.stop);
    const [seed] = cluster.target.kind === 'cluster' ? cluster.target.nodes : [];
    const server = await serveOn({ REDIS_CLUSTER_NODES: `${seed!.host}:${seed!.port}` });
    servers.push(server);
    await roundTrips(server.origin, 30);
    expect((await call(server.origin, 'GET', '/ready')).status).toBe(200);
  });

  describe('REDIS_SENTINELS', () => {
    let set: SentinelSet;
    let server: ServerProcess;
    beforeAll(async () => {
      set = await startSentinelSet();
      stops.push(set.stop);
      server = await serveOn({
        REDIS_SENTINELS: `127.0.0.1:${set.sentinel.port}`,
        REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
      });
      servers.push(server);
    });

    it('asks the Sentinel for the master and serves from it', async () => {
      await roundTrips(server.origin, 5);
    });

    it('follows a failover without a restart: replicated secrets stay readable, new ones are stored on the new master', async () => {
      const made = await Promise.all(Array.from({ length: 10 }, (_, i) => share(server.origin, `before failover ${i}`)));
      // Replication is asynchronous: wait until the replica has every write before promoting it.
      const master = new Redis(set.master.url, { maxRetriesPerRequest: 0 });
      expect(await master.call('WAIT', '1', '5000')).toBe(1);
      master.disconnect();

      // Keep creating during the failover: every answer is a receipt or the contract's 503, never an error of ours.
      let creating = true;
      const during = { stored: 0, refused: 0 };
      const creator = (async () => {
        while (creating) {
          const r = await call(server.origin, 'POST', '/api/v1/share', { secret: 'during failover' });
          if (r.status === 200) during.stored++;
          else {
            expectBackShortly(r);
            during.refused++;
          }
        }
      })();
      const started = performance.now();
      const { from, to } = await set.failover();
      expect(to).not.toBe(from);
      // Stored on the promoted master: the server has followed the switch.
      await expect
        .poll(async () => (await call(server.origin, 'POST', '/api/v1/share', { secret: 'after failover' })).status, {
          timeout: 10_000,
          interval: 50,
        })
        .toBe(200);
      const followedMs = performance.now() - started;
      creating = false;
      await creator;
      expect(during.stored).toBeGreaterThan(0);
      expect(followedMs).toBeLessThan(5_000);

      // The client may still be settling on the new master (a brief 503, the contract's answer, consumes nothing):
      // each secret made before the failover is read once it answers.
      for (const [i, s] of made.entries()) {
        let answer = await reveal(server.origin, s.secret_key);
        const deadline = performance.now() + 5_000;
        while (answer.intended === '503' && performance.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          answer = await reveal(server.origin, s.secret_key);
        }
        expect(answer.body, `secret ${i}`).toMatchObject({ value: `before failover ${i}` });
      }
    });
  });
});

describe('a Redis Cluster losing masters, then getting them back', () => {
  let cluster: ClusterTopology;
  let t: TestApp;
  let origin: string;
  const shares = (n: number): Promise<Reply[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => call(origin, 'POST', '/api/v1/share', { secret: `cluster ${i}` })));

  beforeAll(async () => {
    cluster = await startCluster();
    const redis = createRedisClient(cluster.target);
    await redis.connect();
    t = await makeApp('redis', {}, { store: new RedisStore(redis, uniquePrefix()) });
    origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('one master down: requests that need its slots fail fast with the 503-intended error, the rest succeed', async () => {
    await cluster.servers[1]!.stop();
    const replies = await shares(30);
    const [ok, refused] = [replies.filter((r) => r.status === 200), replies.filter((r) => r.status !== 200)];
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0); // keys are random: about a third of the secrets land on it
    refused.forEach(expectBackShortly);
    for (const r of replies) expect(r.ms).toBeLessThan(3_000);
  });

  it('every master down: every request fails at once, /status offline, /ready 503', async () => {
    await Promise.all(cluster.servers.map((node) => node.stop()));
    const replies = await shares(10);
    replies.forEach(expectBackShortly);
    for (const r of replies) expect(r.ms).toBeLessThan(3_000);
    expect((await call(origin, 'GET', '/api/v1/status')).body).toEqual({ status: 'offline', locale: 'en' });
    expect((await call(origin, 'GET', '/ready')).status).toBe(503);
  });

  it('masters back on their ports: the same server recovers without a restart', async () => {
    await Promise.all(cluster.servers.map((node) => node.start()));
    await expect.poll(async () => (await call(origin, 'GET', '/ready')).status, { timeout: 20_000, interval: 100 }).toBe(200);
    await expect.poll(async () => (await shares(10)).every((r) => r.status === 200), { timeout: 20_000, interval: 100 }).toBe(true);
    await roundTrips(origin, 10);
  });
});
