// Our own timeout never loses a secret (docs/deployment.md, "What a Redis stall costs"): a reveal, burn or create
// that gives up on Redis (503) while Redis is stalled, or while the server's own event loop is blocked, ends in
// exactly one of two ways. The caller got the value; or the secret is still revealable afterwards and its receipt
// does not say received. A create that answered an error is not stored. Each test owns its redis-server and runs
// the built server as users do (`node dist/server.js`).
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureBuilt } from '../e2e/built.js';
import { RedisServer } from '../support/redis-server.js';
import { call, expectBackShortly, reveal, share } from './http.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from './server-process.js';

const STALL_MS = 3_000;

function admin(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  return redis;
}

/** Starts `DEBUG SLEEP` on its own connection and returns once Redis has stopped answering (and when it ends). */
async function stallRedis(url: string, ms: number): Promise<{ over: Promise<unknown> }> {
  const sleeper = admin(url);
  const prober = admin(url);
  const over = sleeper.call('DEBUG', 'SLEEP', String(ms / 1000)).finally(() => sleeper.disconnect());
  // Redis is asleep once a PING goes unanswered for 200 ms.
  await vi.waitFor(
    async () => {
      const answered = await Promise.race([prober.ping().then(() => true), new Promise((r) => setTimeout(() => r(false), 200))]);
      expect(answered).toBe(false);
    },
    { timeout: 2_000, interval: 0 },
  );
  void over.finally(() => prober.disconnect());
  return { over };
}

const receiptState = async (origin: string, metadataKey: string) =>
  (await call(origin, 'POST', `/api/v1/private/${metadataKey}`)).body.state;

/** The promise: either the caller got the value, or it is still there to reveal and its receipt is not received. */
async function expectOnceOrIntact(origin: string, first: { status: number; body: Record<string, unknown> }, s: { secret_key: string; metadata_key: string }, value: string) {
  if (first.status === 200) {
    expect(first.body.value).toBe(value);
    expect((await reveal(origin, s.secret_key)).body).toMatchObject({ message: 'Unknown secret' });
    expect(await receiptState(origin, s.metadata_key)).toBe('received');
    return 'delivered';
  }
  expectBackShortly(first as Parameters<typeof expectBackShortly>[0]);
  // The late claim is undone as soon as Redis answers it: wait for that, then the secret must still be there.
  await vi.waitFor(async () => expect(await receiptState(origin, s.metadata_key)).not.toBe('received'), { timeout: 5_000 });
  expect(await receiptState(origin, s.metadata_key)).toMatch(/^(new|viewed)$/);
  expect((await reveal(origin, s.secret_key)).body).toMatchObject({ value });
  return 'intact';
}

describe('no secret lost to our own timeout', () => {
  let redis: RedisServer;
  let server: ServerProcess;
  let control: Redis;
  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start({ args: ['--enable-debug-command', 'yes'] });
    control = admin(redis.url);
    // No reveal or burn budget: the claim is then the only command those requests send, the one under test.
    server = await startServerProcess(sharedRedisEnv(redis.url, { RATE_LIMIT_REVEAL: '0', RATE_LIMIT_BURN: '0' }));
  }, 60_000);
  afterEach(() => {
    // A test that failed while the server was stopped must not leave it stopped.
    server.child.kill('SIGCONT');
  });
  afterAll(async () => {
    server?.kill();
    await server?.exited;
    control?.disconnect();
    await redis?.destroy();
  });

  const waitUntilReady = () =>
    vi.waitFor(async () => expect((await call(server.origin, 'GET', '/ready')).status).toBe(200), { timeout: 10_000, interval: 100 });

  it('a reveal in flight during a 3 s Redis stall: 503, then the secret is still revealable and its receipt unread', async () => {
    const s = await share(server.origin, 'through the stall');
    const { over } = await stallRedis(redis.url, STALL_MS);
    const first = await reveal(server.origin, s.secret_key);
    await over;
    await waitUntilReady();
    expect(await expectOnceOrIntact(server.origin, first, s, 'through the stall')).toBe('intact');
  });

  it('a burn in flight during a stall: 503, then the secret is still there and its receipt not burned', async () => {
    const s = await share(server.origin, 'burn through the stall');
    const { over } = await stallRedis(redis.url, STALL_MS);
    const first = await call(server.origin, 'POST', `/api/v1/private/${s.metadata_key}/burn`);
    expectBackShortly(first);
    await over;
    await waitUntilReady();
    await vi.waitFor(async () => expect(await receiptState(server.origin, s.metadata_key)).toMatch(/^(new|viewed)$/), { timeout: 5_000 });
    expect((await reveal(server.origin, s.secret_key)).body).toMatchObject({ value: 'burn through the stall' });
  });

  it('a reveal whose server is frozen for 3 s after it sent the claim: delivered, or intact afterwards', async () => {
    const s = await share(server.origin, 'through the freeze');
    // Hold writes so that the claim waits in Redis, freeze the server once it is there, and let Redis answer while
    // the server cannot read the answer: when it wakes, its 1 s wait is long over and the answer is in its socket.
    await control.call('CLIENT', 'PAUSE', '1000', 'WRITE');
    const pending = reveal(server.origin, s.secret_key);
    await vi.waitFor(async () => expect(await control.info('clients')).toMatch(/blocked_clients:[1-9]/), { interval: 10, timeout: 3_000 });
    server.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, STALL_MS)); // the freeze itself: what the test is about, not a race
    server.child.kill('SIGCONT');
    const first = await pending;
    await waitUntilReady();
    // With a 1 s wait the server has given up by the time it wakes: the late claim is undone.
    expect(await expectOnceOrIntact(server.origin, first, s, 'through the freeze')).toBe('intact');
  });

  it('a create that answers 503 during a stall is not stored', async () => {
    const before = (await control.keys('*secret:*')).length;
    const { over } = await stallRedis(redis.url, STALL_MS);
    const created = await call(server.origin, 'POST', '/api/v1/share', { secret: 'told it failed' });
    expectBackShortly(created);
    await over;
    await waitUntilReady();
    // The late create is removed as soon as Redis answers it.
    await vi.waitFor(async () => expect((await control.keys('*secret:*')).length).toBe(before), { timeout: 5_000 });
  });
});
