// Redis as docker/redis.conf configures it (AOF, appendfsync always) is killed with SIGKILL while creates pour in,
// then restarted on the same data directory: every secret whose create was answered 200 is still there.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { ROOT } from '../e2e/built.js';
import { makeApp, uniquePrefix, type TestApp } from '../support/app.js';
import { RedisServer } from '../support/redis-server.js';
import { call, expectBackShortly, reveal } from './http.js';

const REDIS_CONF = join(ROOT, 'docker', 'redis.conf');
const WORKERS = 8;
const ACKED_BEFORE_KILL = 200;

async function ask<T>(url: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

describe('AOF with appendfsync always (docker/redis.conf) across a Redis crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ots-aof-'));
  const start = (port?: number) => RedisServer.start({ port, dir, configFile: REDIS_CONF });
  let redis: RedisServer | undefined;
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no secret whose create was answered 200 when Redis is killed mid-run and restarted', { timeout: 60_000 }, async () => {
    redis = await start();
    expect(await ask(redis.url, (r) => r.info('persistence'))).toContain('aof_enabled:1');
    expect(await ask(redis.url, (r) => r.config('GET', 'appendfsync'))).toEqual(['appendfsync', 'always']);
    const client = createRedisClient(redis.url);
    await client.connect();
    t = await makeApp('redis', {}, { store: new RedisStore(client, uniquePrefix()) });
    const origin = await t.app.listen({ host: '127.0.0.1', port: 0 });

    const acked: { key: string; value: string }[] = [];
    let refused = 0;
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const value = `durable ${w}/${i} ${randomUUID()}`;
        const reply = await call(origin, 'POST', '/api/v1/share', { secret: value });
        if (reply.status === 200) acked.push({ key: String(reply.body.secret_key), value });
        else {
          expectBackShortly(reply);
          refused++;
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));

    await vi.waitFor(() => expect(acked.length).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL), { timeout: 30_000, interval: 10 });
    const pid = Number(/process_id:(\d+)/.exec(await ask(redis.url, (r) => r.info('server')))![1]);
    process.kill(pid, 'SIGKILL'); // no shutdown, no final fsync: only what the AOF already holds survives
    await vi.waitFor(() => expect(refused).toBeGreaterThanOrEqual(WORKERS), { timeout: 10_000, interval: 10 });
    running = false;
    await Promise.all(workers);
    await redis.stop();

    redis = await start(redis.port);
    await vi.waitFor(async () => expect((await call(origin, 'GET', '/ready')).status).toBe(200), { timeout: 10_000 });

    const lost: string[] = [];
    for (let i = 0; i < acked.length; i += 25) {
      const batch = acked.slice(i, i + 25);
      const replies = await Promise.all(batch.map((s) => reveal(origin, s.key)));
      replies.forEach((r, j) => {
        if (r.body.value !== batch[j]!.value) lost.push(`${batch[j]!.key}: ${JSON.stringify(r.body)}`);
      });
    }
    expect(lost, `${lost.length} of ${acked.length} acknowledged secrets lost`).toEqual([]);
  });
});
