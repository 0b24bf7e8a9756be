// Redis stores whose key prefix the test knows, so a test can act behind the app's back (delete a secret, restart
// on the same data, dump every key it wrote) the way an operator or a crash would.
import { randomBytes } from 'node:crypto';
import type { OtsRedis } from '../../src/store/redis-client.js';
import { RedisKeys, RedisStore } from '../../src/store/redis-store.js';
import { connectTestRedis } from './app.js';

export interface PrefixedRedisStore {
  store: RedisStore;
  prefix: string;
  keys: RedisKeys;
}

export function freshPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** A store on its own connection; two of them with one prefix are two server instances sharing one Redis. */
export async function makePrefixedRedisStore(prefix = freshPrefix()): Promise<PrefixedRedisStore> {
  const redis = await connectTestRedis();
  return { store: new RedisStore(redis, prefix), prefix, keys: new RedisKeys(prefix) };
}

/**
 * Every byte stored under the prefix, as raw bytes: each key's value read by type (GET, HGETALL, ZRANGE, SMEMBERS)
 * and its DUMP serialization too. Key names are left out: they are the store's addresses, not its contents.
 */
export async function dumpValues(redis: OtsRedis, prefix: string): Promise<{ keys: string[]; bytes: Buffer }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');

  const chunks: Buffer[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') chunks.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
    else if (type === 'hash') chunks.push(...(await redis.hgetallBuffer(key).then(Object.entries)).flat().map(toBuffer));
    else if (type === 'zset') chunks.push(...(await redis.zrangeBuffer(key, 0, -1)));
    else if (type === 'set') chunks.push(...(await redis.smembersBuffer(key)));
    else throw new Error(`unexpected Redis type ${type} at ${key}`);
    const dumped = await redis.dumpBuffer(key);
    if (dumped) chunks.push(dumped);
  }
  return { keys, bytes: Buffer.concat(chunks) };
}

function toBuffer(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
