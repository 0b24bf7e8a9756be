// Redis stores whose key prefix the test knows, so a test can act behind the app's back (delete a secret, restart
// on the same data, dump every key it wrote) the way an operator or a crash would.
import { Cluster, type Redis } from 'ioredis';
import type { OtsRedis } from '../../src/store/redis-client.js';
import { RedisKeys } from '../../src/store/redis-keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { makeStore, uniquePrefix } from './app.js';

export interface PrefixedRedisStore {
  store: RedisStore;
  prefix: string;
  keys: RedisKeys;
}

/** A store on its own connection; two of them with one prefix are two server instances sharing one Redis. */
export async function makePrefixedRedisStore(prefix = uniquePrefix()): Promise<PrefixedRedisStore> {
  const store = (await makeStore('redis', undefined, prefix)) as RedisStore;
  return { store, prefix, keys: new RedisKeys(prefix) };
}

/**
 * Every byte stored under keys matching `pattern`, as raw bytes: each value read by its type (GET, HGETALL,
 * ZRANGE, SMEMBERS) and its DUMP serialization too. Key names are left out: they are the store's addresses, not
 * its contents. Keys that vanish during the scan (expired, or another test's) are skipped.
 */
export async function dumpValues(redis: OtsRedis, pattern: string): Promise<{ keys: string[]; bytes: Buffer }> {
  const keys: string[] = [];
  // A Cluster spreads keys over its masters: scan each one; reads below go through the client, which routes them.
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis as Redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }

  const chunks: Buffer[] = [];
  for (const key of keys) {
    chunks.push(...(await readValue(redis, key)));
    const dumped = await redis.dumpBuffer(key);
    if (dumped) chunks.push(dumped);
  }
  return { keys, bytes: Buffer.concat(chunks) };
}

async function readValue(redis: OtsRedis, key: string): Promise<Buffer[]> {
  switch (await redis.type(key)) {
    case 'string':
      return [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
    case 'hash':
      return Object.entries(await redis.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value]);
    case 'zset':
      return redis.zrangeBuffer(key, 0, -1);
    case 'set':
      return redis.smembersBuffer(key);
    case 'list':
      return redis.lrangeBuffer(key, 0, -1);
    default:
      return []; // gone, or a type only DUMP shows
  }
}
