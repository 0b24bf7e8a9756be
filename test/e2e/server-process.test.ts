// `node dist/server.js` as an operator starts it: boots on Redis when REDIS_URL is set, serves, shuts down on
// SIGTERM; refuses to boot with a clear message when the master key is missing or weak.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/store/redis-client.js';
import { redisUrl, TEST_MASTER_KEY, uniquePrefix } from '../support/app.js';
import { cleanEnv, DIST, ensureBuilt, ROOT, runBuilt } from './built.js';

const STACK_LINE = /^\s+at /m;

interface Server {
  child: ChildProcessWithoutNullStreams;
  origin: string;
  logs: string[];
}

/** Starts the built server and resolves with the origin from its 'Server listening at' log line. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [`${DIST}/server.js`], { cwd: ROOT, env: cleanEnv(env) });
  const logs: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const origin = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  return { child, origin, logs };
}

describe('the built server process', () => {
  beforeAll(ensureBuilt);

  describe('with REDIS_URL and OTS_SECRET', () => {
    let server: Server;
    const prefix = uniquePrefix();
    const redis = createRedisClient(redisUrl());

    beforeAll(async () => {
      await redis.connect();
      server = await startServer({
        REDIS_URL: redisUrl(),
        REDIS_PREFIX: prefix,
        OTS_SECRET: TEST_MASTER_KEY,
        HOST: '127.0.0.1',
        PORT: '0',
      });
    });
    afterAll(async () => {
      if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
      redis.disconnect();
    });

    it('serves /api/v1/status nominal', async () => {
      const res = await fetch(`${server.origin}/api/v1/status`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'nominal', locale: 'en' });
    });

    it('keeps secrets in that Redis, under REDIS_PREFIX, sealed', async () => {
      const res = await fetch(`${server.origin}/api/v1/share`, {
        method: 'POST',
        body: new URLSearchParams({ secret: 'stored-in-redis-xyzzy' }),
      });
      const { metadata_key: metadataKey } = (await res.json()) as { metadata_key: string };
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toContain(`${prefix}receipt:${metadataKey}`);
      const values = await Promise.all(keys.map((k) => redis.dump(k)));
      expect(values.join('')).not.toContain('stored-in-redis-xyzzy');
      // No memory-store warning in its logs.
      expect(server.logs.join('\n')).not.toContain('in-memory store');
    });

    it('shuts down cleanly on SIGTERM', async () => {
      server.child.kill('SIGTERM');
      const [code] = await once(server.child, 'exit');
      expect(code).toBe(0);
      expect(server.logs.some((l) => l.includes('shutting down'))).toBe(true);
    });
  });

  it.each([
    ['no OTS_SECRET', {}, 'OTS_SECRET is required when REDIS_URL is set'],
    ['a short OTS_SECRET', { OTS_SECRET: 'c2hvcnQta2V5' }, 'OTS_SECRET must hold at least 32 random bytes'],
    ['a low-entropy OTS_SECRET', { OTS_SECRET: '00'.repeat(32) }, 'OTS_SECRET is not random enough'],
    ['an OTS_SECRET that is neither hex nor base64', { OTS_SECRET: 'not a key!' }, 'OTS_SECRET must be hex or base64'],
  ])('refuses to boot with REDIS_URL and %s: non-zero exit, clear message, no stack', async (_name, extra, message) => {
    const result = await runBuilt('server.js', [], { REDIS_URL: redisUrl(), PORT: '0', ...extra });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('ots-server: configuration error');
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(STACK_LINE);
    if ('OTS_SECRET' in extra) expect(result.stderr).not.toContain(extra.OTS_SECRET);
    expect(result.stdout).not.toContain('Server listening');
  });
});
