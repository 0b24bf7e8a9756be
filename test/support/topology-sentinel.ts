// A Redis master, one replica and one Sentinel from the redis-server binary on loopback ports. The server finds
// the master through the Sentinel, as in production; `failover()` lets a test move the master and watch it follow.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, RedisServer } from './redis-server.js';
import type { StartedTopology } from './topology.js';

export const SENTINEL_MASTER_NAME = 'ots-test';

export interface SentinelSet extends StartedTopology {
  master: RedisServer;
  replica: RedisServer;
  sentinel: RedisServer;
  /** Asks the Sentinel to promote the replica now; resolves once it names the new master and that one is a master. */
  failover(): Promise<{ from: number; to: number }>;
}

function client(port: number): Redis {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  return redis;
}

async function ask<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = client(port);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const linkUp = (port: number) => ask(port, async (r) => (await r.info('replication')).includes('master_link_status:up'));

const masterPortOf = (sentinelPort: number) =>
  ask(sentinelPort, async (r) => {
    const addr = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)) as [string, string] | null;
    return addr ? Number(addr[1]) : undefined;
  });

export async function startSentinelSet(): Promise<SentinelSet> {
  const started: RedisServer[] = [];
  const sentinelDir = mkdtempSync(join(tmpdir(), 'ots-sentinel-'));
  const stop = async () => {
    await Promise.all(started.map((s) => s.destroy()));
    rmSync(sentinelDir, { recursive: true, force: true });
  };
  try {
    const master = await RedisServer.start();
    started.push(master);
    const replica = await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    started.push(replica);
    await poll('the replica to sync', () => linkUp(replica.port));

    const configFile = join(sentinelDir, 'sentinel.conf');
    writeFileSync(
      configFile,
      [
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
        '',
      ].join('\n'),
    );
    const sentinel = await RedisServer.start({ port: await freePort(), dir: sentinelDir, configFile, args: ['--sentinel'] });
    started.push(sentinel);
    await poll('the sentinel to see the master and its replica', async () => {
      if ((await masterPortOf(sentinel.port)) !== master.port) return false;
      const replicas = (await ask(sentinel.port, (r) => r.call('SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME))) as string[][];
      return replicas.length === 1;
    });

    const failover = async () => {
      const from = (await masterPortOf(sentinel.port))!;
      await ask(sentinel.port, (r) => r.call('SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME));
      await poll('the sentinel to name a new master', async () => (await masterPortOf(sentinel.port)) !== from);
      const to = (await masterPortOf(sentinel.port))!;
      await poll('the new master to take writes', () => ask(to, async (r) => (await r.info('replication')).includes('role:master')));
      return { from, to };
    };

    return {
      kind: 'sentinel',
      target: { kind: 'sentinel', sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: SENTINEL_MASTER_NAME },
      url: master.url,
      description: `Redis master ${master.port} + replica ${replica.port} watched by a Sentinel at 127.0.0.1:${sentinel.port}`,
      master,
      replica,
      sentinel,
      failover,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
