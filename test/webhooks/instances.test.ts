// Delivery across instances, with the server run as users run it (`node dist/server.js`, two processes on one
// Redis) and a real receiver on loopback: a receiver down for a while, then every event delivered; an instance
// killed (SIGKILL) in the middle of its deliveries and no event lost (duplicates allowed, and counted); an expiry
// reported once however many instances sweep; the dead-letter path and its replay by the admin command.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { ensureBuilt, runBuilt } from '../e2e/built.js';
import { share, reveal } from '../deploy/http.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from '../deploy/server-process.js';
import { RedisServer } from '../support/redis-server.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { answerStatus, startReceiver, waitFor, type Receiver } from './receiver.js';

/** Short waits so that a test sees several retries: 1 s timeout, so a retry comes 2 s, 2 s, 4 s… after its try. */
const FAST = { WEBHOOK_TIMEOUT: '1', WEBHOOK_RETRY_DELAY: '1', WEBHOOK_EXPIRY_SCAN: '1', TTL_MIN: '1', LOG_LEVEL: 'info' };

describe('webhooks across server processes on one Redis', () => {
  let redis: RedisServer;
  let client: Redis;
  let receiver: Receiver;
  let running: ServerProcess[] = [];
  const signingSecret = newSigningSecret();

  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start();
    client = new Redis(redis.url);
    receiver = await startReceiver();
  });
  afterEach(() => {
    running.forEach((s) => s.kill());
    running = [];
    receiver.posts.length = 0;
    receiver.answer = answerStatus(204);
    delivered.clear();
  });
  afterAll(async () => {
    client?.disconnect();
    await receiver?.close();
    await redis?.destroy();
  });

  /** The environment of one group of instances: its own key prefix, the receiver, and `extra`. */
  const groupEnv = (extra: Record<string, string> = {}) =>
    sharedRedisEnv(redis.url, { ...FAST, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: signingSecret, ...extra });
  const start = async (env: Record<string, string>) => {
    const server = await startServerProcess(env);
    running.push(server);
    return server;
  };

  /** The message ids the receiver answered with a 2xx (what the sender counts as delivered). */
  const delivered = new Set<string>();
  const countingAnswer = (status: number) => (req: Parameters<Receiver['answer']>[0], res: ServerResponse) => {
    if (status < 300) delivered.add(String(req.headers['webhook-id']));
    res.statusCode = status;
    res.end();
  };
  const idsOf = (type: string) => new Set(receiver.posts.filter((p) => JSON.parse(p.body).type === type).map((p) => String(p.headers['webhook-id'])));
  const queueLength = (env: Record<string, string>) => client.xlen(`${env.REDIS_PREFIX}{webhooks}:events`);

  it('a receiver down for a while gets every event once it is back, after retries', async () => {
    const env = groupEnv();
    const [a, b] = [await start(env), await start(env)];
    receiver.answer = answerStatus(503);
    for (let i = 0; i < 5; i++) {
      const s = await share(i % 2 ? a.origin : b.origin, `down ${i}`);
      await reveal(i % 2 ? b.origin : a.origin, s.secret_key);
    }
    // Every event tried at least once, and refused.
    await waitFor('ten first tries', () => new Set(receiver.posts.map((p) => p.headers['webhook-id'])).size >= 10, 10_000);
    const refused = receiver.posts.length;
    receiver.answer = countingAnswer(204);
    await waitFor('every event delivered', async () => (await queueLength(env)) === 0 && delivered.size >= 10, 20_000);
    expect(idsOf('secret.created').size).toBe(5);
    expect(idsOf('secret.revealed').size).toBe(5);
    expect(receiver.posts.length).toBeGreaterThan(refused); // retried
    expect(await client.llen(`${env.REDIS_PREFIX}{webhooks}:dead`)).toBe(0);
  }, 40_000);

  it('an instance killed with SIGKILL in the middle of its deliveries loses no event: another takes them over', async () => {
    const env = groupEnv({ WEBHOOK_CONCURRENCY: '4', WEBHOOK_TIMEOUT: '2' });
    const a = await start(env);
    // The receiver holds every post open: A's deliveries are in flight when it dies.
    const held: ServerResponse[] = [];
    receiver.answer = (_req, res) => held.push(res);
    const made = [];
    for (let i = 0; i < 10; i++) made.push(await share(a.origin, `kill ${i}`));
    await waitFor('A holds four deliveries in flight', () => held.length >= 4, 10_000);
    const b = await start(env);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    for (const res of held) res.destroy();
    receiver.answer = countingAnswer(204);
    await waitFor('all ten events delivered by B', async () => (await queueLength(env)) === 0 && delivered.size >= 10, 30_000);
    expect(idsOf('secret.created').size).toBe(10);
    const duplicates = receiver.posts.length - idsOf('secret.created').size;
    // Posts made more than once: those A (or B, before the receiver came back) had in flight, posted again.
    console.info(`SIGKILL mid-delivery: 10 events, ${receiver.posts.length} posts, ${duplicates} duplicate posts, 0 lost`);
    expect(duplicates).toBeGreaterThanOrEqual(4);
    expect(b.child.exitCode).toBeNull();
  }, 60_000);

  it('reports an expired secret once, though both instances sweep every second', async () => {
    const env = groupEnv();
    const [a, b] = [await start(env), await start(env)];
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await share(i % 2 ? a.origin : b.origin, `expire ${i}`, { ttl: '1' }));
    const expired = () => receiver.posts.map((p) => JSON.parse(p.body)).filter((p) => p.type === 'secret.expired');
    await waitFor('five expiries', () => expired().length >= 5, 15_000);
    // A later secret's expiry comes after further sweeps by both instances: none of the first five comes again.
    const later = await share(a.origin, 'expire later', { ttl: '1' });
    await waitFor('the later expiry', () => expired().some((p) => p.data.shortid === later.metadata_key.slice(0, 8)), 15_000);
    const shortids = expired().map((p) => p.data.shortid as string);
    expect(shortids.sort()).toEqual([...made, later].map((s) => s.metadata_key.slice(0, 8)).sort());
  }, 40_000);

  it('moves an event to the dead letters after its last try; the admin command shows and replays it with the same id', async () => {
    const env = groupEnv({ WEBHOOK_ATTEMPTS: '2' });
    await start(env);
    receiver.answer = answerStatus(500);
    const made = await share(running[0]!.origin, 'dead letter');
    const dead = `${env.REDIS_PREFIX}{webhooks}:dead`;
    await waitFor('a dead letter', async () => (await client.llen(dead)) === 1, 15_000);
    expect(receiver.posts).toHaveLength(2); // two tries, then given up
    const firstId = receiver.posts[0]!.headers['webhook-id'];

    const admin = (...args: string[]) => runBuilt('cli/admin.js', args, env);
    const status = await admin('webhooks', 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/dead/i);
    const listed = await admin('webhooks', 'dead');
    expect(listed.stdout).toContain(made.metadata_key.slice(0, 8));
    expect(listed.stdout).not.toContain(made.metadata_key);

    receiver.answer = countingAnswer(204);
    const replayed = await admin('webhooks', 'replay');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('1');
    await waitFor('the replayed event', () => delivered.has(String(firstId)), 15_000);
    expect(await client.llen(dead)).toBe(0);
    expect(await queueLength(env)).toBe(0);
  }, 40_000);
});
