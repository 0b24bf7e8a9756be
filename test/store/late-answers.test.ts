// Our own timeout never loses a secret, on every topology (single, Cluster, Sentinel in CI): when Redis runs a step
// but its answer reaches us after the store gave up (a stall, a frozen process), the store undoes the step. Here the
// answers of real Redis are held back on their way to the store (the step itself runs in Redis at once), so the
// store's 1 s wait runs out first; test/deploy/no-secret-lost.test.ts causes the same with a real stall.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SecretsService, ANONYMOUS } from '../../src/domain/secrets-service.js';
import { StoreUnavailableError } from '../../src/domain/store.js';
import type { OtsRedis } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { connectTestRedis, testConfig, uniquePrefix } from '../support/app.js';

const WAIT_MS = 100;
const LATE_MS = 400;

/** The client, with the answers of the named commands held back LATE_MS after Redis gave them. */
function withLateAnswers(redis: OtsRedis, late: Set<string>): OtsRedis {
  return new Proxy(redis, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const call = (value as (...args: unknown[]) => unknown).bind(target);
      if (!late.has(String(name))) return call;
      return async (...args: unknown[]) => {
        const answer = await call(...args);
        await new Promise((resolve) => setTimeout(resolve, LATE_MS));
        return answer;
      };
    },
  });
}

/** Every key under `prefix`, on every master of a Cluster. */
async function keysUnder(redis: OtsRedis, prefix: string): Promise<string[]> {
  const nodes = redis.isCluster ? (redis as unknown as { nodes(role: string): OtsRedis[] }).nodes('master') : [redis];
  return (await Promise.all(nodes.map((n) => n.keys(`${prefix}*`)))).flat().sort();
}

describe('late answers are undone (redis store)', () => {
  let redis: OtsRedis;
  const late = new Set<string>();
  let store: RedisStore;
  let plain: RedisStore;
  let service: SecretsService;
  let lost: unknown[];

  beforeAll(async () => {
    redis = await connectTestRedis();
    const prefix = uniquePrefix();
    lost = [];
    store = new RedisStore(withLateAnswers(redis, late), prefix, { waits: { timeoutMs: WAIT_MS }, lost: (e) => lost.push(e) });
    plain = new RedisStore(redis, prefix);
    const config = testConfig();
    service = new SecretsService(store.secrets, config, [config.secret], { error: () => {} });
  });
  afterAll(() => redis.disconnect());

  async function made(value: string) {
    late.clear();
    const { receipt } = await service.share({ secret: value }, ANONYMOUS);
    return receipt;
  }

  it('a reveal whose claim answers late: 503, then the secret is back and its receipt not received', async () => {
    const receipt = await made('claimed late');
    late.add('otsClaimBuffer');
    await expect(service.reveal(receipt.secretKey, undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
    await vi.waitFor(async () => expect(await plain.secrets.inspect(receipt.secretKey)).not.toBeNull(), { timeout: 3_000 });
    expect((await plain.secrets.getReceipt(receipt.metadataKey))?.receipt.state).toBe('new');
    late.clear();
    expect((await service.reveal(receipt.secretKey, undefined)).value).toBe('claimed late');
    expect(lost).toEqual([]);
  });

  it('a burn whose claim answers late: 503, then the secret is still there and its receipt not burned', async () => {
    const receipt = await made('burned late');
    late.add('otsClaimBuffer');
    await expect(service.burn(receipt.metadataKey, undefined, ANONYMOUS)).rejects.toBeInstanceOf(StoreUnavailableError);
    await vi.waitFor(async () => expect(await plain.secrets.inspect(receipt.secretKey)).not.toBeNull(), { timeout: 3_000 });
    expect((await plain.secrets.getReceipt(receipt.metadataKey))?.receipt.state).toBe('new');
  });

  it('a passphrase reveal whose compare-and-delete answers late: 503, then the secret is back', async () => {
    late.clear();
    const { receipt } = await service.share({ secret: 'guarded late', passphrase: 'open sesame' }, ANONYMOUS);
    late.add('otsClaimIfUnchanged');
    await expect(service.reveal(receipt.secretKey, 'open sesame')).rejects.toBeInstanceOf(StoreUnavailableError);
    await vi.waitFor(async () => expect(await plain.secrets.inspect(receipt.secretKey)).not.toBeNull(), { timeout: 3_000 });
    late.clear();
    expect((await service.reveal(receipt.secretKey, 'open sesame')).value).toBe('guarded late');
  });

  it('a create that answers late: 503, and then nothing of it is kept', async () => {
    late.clear();
    late.add('otsCreate');
    const before = await keysUnder(redis, plain.prefix);
    await expect(service.share({ secret: 'told it failed' }, ANONYMOUS)).rejects.toBeInstanceOf(StoreUnavailableError);
    // Redis stored it at once; the late answer's undo removes it.
    await vi.waitFor(async () => expect(await keysUnder(redis, plain.prefix)).toEqual(before), { timeout: 3_000 });
  });
});
