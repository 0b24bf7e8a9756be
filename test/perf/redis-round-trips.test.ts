// How many commands (round trips) a request sends to Redis, as Redis itself saw them (MONITOR), on single Redis:
// the rate count on arrival, then one script per store step. A change that adds a round trip shows here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/store/redis-store.js';
import { ALICE, basic, makeApp, type TestApp } from '../support/app.js';
import { topologyFromEnv } from '../support/topology.js';
import { commandsSentBy } from './redis-monitor.js';

interface Made {
  secret_key: string;
  metadata_key: string;
}

describe.skipIf(topologyFromEnv() !== 'single')('Redis round trips per request (single Redis)', () => {
  let t: TestApp;
  const sent = (during: () => Promise<unknown>) => commandsSentBy((t.store as RedisStore).redis, during);
  const share = async (headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/share', headers, payload: { secret: 'counted' } });
    expect(res.statusCode).toBe(200);
    return res.json() as Made;
  };

  beforeAll(async () => {
    t = await makeApp('redis', { RATE_LIMIT_CREATE: '1000', RATE_LIMIT_REVEAL: '1000', RATE_LIMIT_RECEIPT: '1000' });
    // ioredis loads a script on its first call (EVALSHA, NOSCRIPT, EVAL): warm every script up before counting.
    const { secret_key, metadata_key } = await share({ authorization: basic(ALICE) });
    await t.app.inject({ method: 'GET', url: `/api/v1/private/${metadata_key}` });
    await t.app.inject({ method: 'POST', url: `/api/v1/secret/${secret_key}` });
    await t.app.inject({ method: 'GET', url: `/api/v2/secret/${(await share()).secret_key}` });
  });
  afterAll(() => t.close());

  it('an anonymous create is 2: the rate count and the create script', async () => {
    expect(await sent(() => share())).toEqual(['evalsha', 'evalsha']);
  });

  it("an account's create is 3: the rate count, the account lookup and the create script (its recent list included)", async () => {
    expect(await sent(() => share({ authorization: basic(ALICE) }))).toEqual(['evalsha', 'hgetall', 'evalsha']);
  });

  // Each: a fresh secret, then one request to it, which answers as expected and sends the rate count and one script.
  it.each([
    ['a reveal (its receipt settled inside the claim script)', (k: Made) => ({ method: 'POST' as const, url: `/api/v1/secret/${k.secret_key}` }), { value: 'counted' }],
    ['a receipt view (new → viewed inside the view script)', (k: Made) => ({ method: 'GET' as const, url: `/api/v1/private/${k.metadata_key}` }), { state: 'new' }],
    ['a v2 look at a secret (the inspect script)', (k: Made) => ({ method: 'GET' as const, url: `/api/v2/secret/${k.secret_key}` }), { record: { lifespan: 604800 } }],
  ])('%s is 2: the rate count and one script', async (_name, request, answer) => {
    const made = await share();
    const names = await sent(async () => expect((await t.app.inject(request(made))).json()).toMatchObject(answer));
    expect(names).toEqual(['evalsha', 'evalsha']);
  });
});
