// Scaling out: two `node dist/server.js` processes (two event loops, two CPUs, two Redis connections) on one Redis,
// as behind a load balancer. Any instance serves any secret, and of concurrent reveals and burns of one secret
// spread across both, exactly one succeeds. (test/api/races.test.ts races two in-process apps; these are two
// real server processes started as the image starts them.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';
import { ensureBuilt } from '../e2e/built.js';
import { burn, call, reveal, share, type Reply } from './http.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from './server-process.js';

const UNKNOWN = 'Unknown secret';

describe('two server processes on one Redis', () => {
  let redis: RedisServer;
  let instances: ServerProcess[] = [];
  /** Request i goes to instance i mod 2, as a round-robin balancer would send it. */
  const origin = (i: number) => instances[i % instances.length]!.origin;

  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start();
    // Every racer gets to check its passphrase, so the final conditional claim is what decides.
    const env = sharedRedisEnv(redis.url, { PASSPHRASE_MAX_ATTEMPTS: '1000' });
    instances = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    instances.forEach((s) => s.kill());
    await redis?.destroy();
  });

  const winners = (replies: Reply[]) => replies.filter((r) => r.status === 200);
  const expectLosers = (replies: Reply[], key: string) =>
    replies.filter((r) => r.status !== 200).forEach((r) => expect(r.body).toEqual({ message: UNKNOWN, secret_key: key }));

  it('serves a secret made on one instance from the other, once; the first instance then reports it received', async () => {
    const s = await share(origin(0), 'made on A, read on B');
    expect((await reveal(origin(1), s.secret_key)).body).toMatchObject({ value: 'made on A, read on B' });
    expect((await reveal(origin(0), s.secret_key)).body).toEqual({ message: UNKNOWN, secret_key: s.secret_key });
    expect((await call(origin(0), 'GET', `/api/v1/private/${s.metadata_key}`)).body).toMatchObject({ state: 'received' });
  });

  it.each([
    ['without a passphrase', 8, 40, {}],
    ['with the right passphrase', 3, 20, { passphrase: 'scale-out' }],
  ])('of concurrent reveals across both instances, exactly one gets the value (%s)', async (_name, secrets, racers, form) => {
    for (let n = 0; n < secrets; n++) {
      const value = `race ${n} ${Math.random()}`;
      const s = await share(origin(n), value, form);
      const replies = await Promise.all(Array.from({ length: racers }, (_, i) => reveal(origin(i), s.secret_key, form)));
      expect(winners(replies), `secret ${n}`).toHaveLength(1);
      expect(winners(replies)[0]!.body).toMatchObject({ value });
      expectLosers(replies, s.secret_key);
    }
  });

  it('of concurrent burns across both instances, exactly one burns', async () => {
    for (let n = 0; n < 5; n++) {
      const s = await share(origin(n), `burn race ${n}`);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => burn(origin(i), s.metadata_key)));
      expect(winners(replies), `secret ${n}`).toHaveLength(1);
      expect(winners(replies)[0]!.body).toMatchObject({ state: { state: 'burned' } });
      expect((await reveal(origin(n + 1), s.secret_key)).body.message).toBe(UNKNOWN);
    }
  });

  it('of reveals racing burns across both instances, one wins and the receipt names it', async () => {
    for (let n = 0; n < 6; n++) {
      const s = await share(origin(n), `mixed race ${n}`);
      const kinds = Array.from({ length: 24 }, (_, i) => ((i + n) % 3 === 0 ? 'burn' : 'reveal'));
      const replies = await Promise.all(
        kinds.map((kind, i) => (kind === 'burn' ? burn(origin(i), s.metadata_key) : reveal(origin(i), s.secret_key))),
      );
      const won = replies.flatMap((r, i) => (r.status === 200 ? [kinds[i]!] : []));
      expect(won, `secret ${n}`).toHaveLength(1);
      const receipt = await call(origin(n), 'GET', `/api/v1/private/${s.metadata_key}`);
      expect(receipt.body.state).toBe(won[0] === 'burn' ? 'burned' : 'received');
    }
  });
});
