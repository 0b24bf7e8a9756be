// WORKERS=2: one `node dist/server.js` runs two server processes on one port (node:cluster). Both serve, a
// reveal race across them has one winner, their rate limits hold exactly, METRICS_PORT sums them, SIGTERM ends
// all of them within SHUTDOWN_TIMEOUT, and the memory store (one process's memory) is refused with more than one
// worker.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisServer } from '../support/redis-server.js';
import { cleanEnv, ensureBuilt, ROOT } from '../e2e/built.js';
import { reveal, share } from './http.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from './server-process.js';

/** The pid of every process that logged a request line. */
const requestPids = (server: ServerProcess) =>
  new Set(server.logs.map((l) => JSON.parse(l) as { msg?: string; pid?: number }).filter((m) => m.msg === 'request').map((m) => m.pid));

/**
 * For the enclosing describe: a Redis of its own and `node dist/server.js` with WORKERS=2 on it (and `env`), both
 * workers listening before the tests start; stopped after them.
 */
function twoWorkers(env: Record<string, string>): { readonly server: ServerProcess } {
  let redis: RedisServer | undefined;
  const started = {} as { server: ServerProcess };
  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start();
    const server = await startServerProcess(sharedRedisEnv(redis.url, { WORKERS: '2', ...env }));
    started.server = server;
    await vi.waitFor(() => expect(server.logs.filter((l) => l.includes('Server listening at')).length).toBe(2), { timeout: 10_000 });
  });
  afterAll(async () => {
    started.server?.kill();
    await redis?.destroy();
  });
  return started;
}

describe('WORKERS=2 on one Redis', () => {
  const workers = twoWorkers({ METRICS_PORT: '0', SHUTDOWN_TIMEOUT: '5' });

  it('two processes serve the one port', async () => {
    // node:cluster hands connections out round-robin; new connections (fetch without keep-alive reuse) spread.
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${workers.server.origin}/api/v1/status`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
    }
    // Request lines reach stdout within a second (the log is written in blocks).
    await vi.waitFor(() => expect(requestPids(workers.server).size).toBe(2), { timeout: 3_000 });
  });

  it('of 16 concurrent reveals spread over both workers, exactly one gets the value, in each of 5 rounds', async () => {
    for (let round = 0; round < 5; round++) {
      const { secret_key } = await share(workers.server.origin, `round ${round}`);
      const replies = await Promise.all(Array.from({ length: 16 }, () => reveal(workers.server.origin, secret_key)));
      expect(replies.filter((r) => r.status === 200).map((r) => r.body.value)).toEqual([`round ${round}`]);
    }
  });

  it('METRICS_PORT serves the sum over the workers', async () => {
    const started = (await workers.server.waitForLog('metrics listener started')) as { address: { port: number } };
    const url = `http://127.0.0.1:${started.address.port}/metrics`;
    const created = async () => Number(/^ots_secrets_created_total (\d+)/m.exec(await (await fetch(url)).text())?.[1] ?? NaN);
    const before = await created();
    expect(Number.isInteger(before)).toBe(true);
    for (let i = 0; i < 10; i++) await share(workers.server.origin, `counted ${i}`);
    expect(await created()).toBe(before + 10);
  });

  it('SIGTERM ends the primary and both workers within SHUTDOWN_TIMEOUT, with exit code 0', async () => {
    const pids = [...requestPids(workers.server)] as number[];
    expect(pids).toHaveLength(2);
    const sent = Date.now();
    workers.server.child.kill('SIGTERM');
    expect(await workers.server.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(5_000);
    // The workers are gone too (signal 0 only asks whether a process exists).
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('WORKERS=2: rate limits across the workers', () => {
  const workers = twoWorkers({ RATE_LIMIT_CREATE: '10', RATE_LIMIT_REVEAL: '10' });

  it('30 concurrent creates and 30 reveals from one client, spread over both workers, get exactly the budget of 10', async () => {
    const post = (path: string, body?: string) =>
      fetch(`${workers.server.origin}${path}`, {
        method: 'POST',
        headers: { connection: 'close', 'content-type': 'application/x-www-form-urlencoded' },
        ...(body ? { body } : {}),
      });
    const creates = await Promise.all(Array.from({ length: 30 }, (_, i) => post('/api/v1/share', `secret=budget-${i}`)));
    const made = await Promise.all(creates.filter((r) => r.headers.get('x-ots-intended-status') !== '429').map((r) => r.json() as Promise<{ secret_key: string }>));
    expect(made).toHaveLength(10);
    expect(creates.filter((r) => r.headers.get('x-ots-intended-status') === '429')).toHaveLength(20);
    const reveals = await Promise.all(Array.from({ length: 30 }, (_, i) => post(`/api/v1/secret/${made[i % 10]!.secret_key}`)));
    expect(reveals.filter((r) => r.headers.get('x-ots-intended-status') !== '429')).toHaveLength(10);
    // Both workers answered these requests (their request lines carry their pids).
    await vi.waitFor(() => expect(requestPids(workers.server).size).toBe(2), { timeout: 3_000 });
  });
});

describe('WORKERS with the memory store', () => {
  it('is refused at start with a configuration error (exit 78): the memory store is one process', async () => {
    await ensureBuilt();
    const run = spawnSync(process.execPath, ['dist/server.js'], { cwd: ROOT, env: cleanEnv({ WORKERS: '2', PORT: '0' }), encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('WORKERS=2 needs Redis');
  });
});
