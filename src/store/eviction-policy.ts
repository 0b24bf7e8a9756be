// Reads Redis's maxmemory-policy and says whether it can evict our keys. Every key we write has a TTL, so every
// policy but noeviction (volatile-* included) may delete secrets, receipts and accounts when Redis is full.
import { Cluster, ReplyError, type Redis } from 'ioredis';

export const SAFE_POLICY = 'noeviction';

/** What Redis said: safe, evicting (which policy), or unknown when it would not tell (CONFIG renamed or denied). */
export type EvictionPolicy =
  | { kind: 'safe'; policy: typeof SAFE_POLICY }
  | { kind: 'evicting'; policy: string }
  | { kind: 'unknown'; reason: string };

/**
 * The policy of every master (a Cluster's masters, the Sentinel-named master, or the one server). The worst answer
 * wins: one evicting master is enough to lose secrets. Rejects on connection errors, so a caller can read again later.
 */
export async function readEvictionPolicy(redis: Redis | Cluster): Promise<EvictionPolicy> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const readings = await Promise.all(nodes.map(readNode));
  return (
    readings.find((r) => r.kind === 'evicting') ??
    readings.find((r) => r.kind === 'unknown') ??
    readings[0] ?? { kind: 'unknown', reason: 'no master to ask' }
  );
}

async function readNode(node: Redis): Promise<EvictionPolicy> {
  let reply: unknown;
  try {
    reply = await node.config('GET', 'maxmemory-policy');
  } catch (err) {
    // Managed Redis often renames or denies CONFIG (`ERR unknown command`, NOPERM): an answer, not an outage.
    if (err instanceof ReplyError) return { kind: 'unknown', reason: (err as Error).message };
    throw err;
  }
  const policy = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
  if (policy === undefined) return { kind: 'unknown', reason: 'CONFIG GET maxmemory-policy gave no value' };
  return policy === SAFE_POLICY ? { kind: 'safe', policy } : { kind: 'evicting', policy };
}

/** One line for /ready and the logs. */
export function evictionReason(policy: string): string {
  return `maxmemory-policy ${policy} evicts secrets; set ${SAFE_POLICY}`;
}

/** The paragraph a refused start prints: what was found, why it loses secrets, and both ways out. */
export function evictionRefusal(policy: string): string {
  return (
    `Redis's maxmemory-policy is ${policy}. When Redis reaches maxmemory it then deletes keys to make room, and ` +
    'every key this server writes has a TTL, so acknowledged secrets, their receipts and accounts can vanish ' +
    `before anyone reads them. Set the policy to ${SAFE_POLICY} on every master (CONFIG SET maxmemory-policy ` +
    `${SAFE_POLICY}, and maxmemory-policy ${SAFE_POLICY} in redis.conf so it survives a restart): a full Redis ` +
    'then refuses new secrets instead of losing stored ones. Or set REDIS_ALLOW_EVICTION=true to accept the risk.'
  );
}
