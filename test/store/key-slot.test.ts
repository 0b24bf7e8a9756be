// The hash slot Redis Cluster gives a key, and metadata keys chosen so that a receipt shares its secret's slot
// (what lets one script take a secret and settle its receipt on a Cluster). Checked against a real cluster-enabled
// redis-server's CLUSTER KEYSLOT.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, KEY_LENGTH } from '../../src/domain/keys.js';
import { keyInSlot, keySlot, SLOT_SUFFIX_LENGTH } from '../../src/store/key-slot.js';
import { RedisKeys } from '../../src/store/redis-keys.js';
import { RedisServer } from '../support/redis-server.js';

describe('keySlot', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await RedisServer.start({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${randomBytes(4).toString('hex')}.conf`] });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis.quit();
    await server.destroy();
  });
  const redisSlot = async (key: string) => (await redis.call('CLUSTER', 'KEYSLOT', key)) as number;

  it('agrees with CLUSTER KEYSLOT on the hash-tag cases of the cluster spec and on random names', async () => {
    const names = [
      '123456789',
      '{user1000}.following',
      '{user1000}.followers',
      'foo{}{bar}',
      'foo{{bar}}zap',
      'foo{bar}{zap}',
      'ots:secret:{abc}',
      'ots:receipt:xyz',
      'no-brace-close{abc',
      'é{ü}',
      ...Array.from({ length: 200 }, () => `ots:receipt:${generateKey()}`),
    ];
    for (const name of names) expect(keySlot(name), name).toBe(await redisSlot(name));
    expect(keySlot('123456789')).toBe(12739);
  });

  it("puts a new metadata key's receipt in its secret's slot, for any prefix without a hash tag", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z:._-]{0,12}$/), async (prefix) => {
        const keys = new RedisKeys(prefix);
        const secretKey = generateKey();
        const metadataKey = keyInSlot(generateKey(KEY_LENGTH - SLOT_SUFFIX_LENGTH), keys.receipt, keySlot(keys.secret(secretKey)));
        expect(metadataKey).toMatch(/^[0-9a-z]{31}$/);
        expect(await redisSlot(keys.receipt(metadataKey!))).toBe(await redisSlot(keys.secret(secretKey)));
      }),
      { numRuns: 300 },
    );
  });

  it('reaches every one of the 16384 slots', () => {
    const keys = new RedisKeys('ots:');
    const head = generateKey(KEY_LENGTH - SLOT_SUFFIX_LENGTH);
    for (let slot = 0; slot < 16384; slot++) expect(keySlot(keys.receipt(keyInSlot(head, keys.receipt, slot)!))).toBe(slot);
  });

  it('with a hash tag in the prefix everything is in one slot already, and other slots are refused', () => {
    const keys = new RedisKeys('{tenant}:');
    const head = generateKey(KEY_LENGTH - SLOT_SUFFIX_LENGTH);
    const slot = keySlot(keys.secret(generateKey()));
    expect(keySlot(keys.receipt(keyInSlot(head, keys.receipt, slot)!))).toBe(slot);
    expect(keyInSlot(head, keys.receipt, (slot + 1) % 16384)).toBeUndefined();
  });
});
