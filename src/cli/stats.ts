// `admin stats`: how many secrets and receipts live in the shared Redis store, and the receipts by state.
// Reads key names and one hash field only: never a secret, a key or an address.
import { Cluster, type Redis } from 'ioredis';
import { STATES, type State } from '../domain/receipt.js';
import { FIELD } from '../store/receipt-codec.js';
import { isReplyError } from '../store/redis-guard.js';
import { RedisKeys } from '../store/redis-keys.js';
import { StoreUnavailableError } from '../domain/store.js';

export interface StoreStats {
  /** Secrets still unread and unexpired. */
  secrets: number;
  /** Receipts still kept (a receipt lives twice as long as its secret). */
  receipts: number;
  /** Receipts by their stored state. */
  states: Record<State, number>;
}

export const MEMORY_MODE_STATS =
  'ots-admin: stats counts what is in the shared Redis store, and no Redis is configured (REDIS_URL, REDIS_CLUSTER_NODES\n' +
  'or REDIS_SENTINELS). Without Redis the server keeps its secrets in its own process memory: there is no shared\n' +
  'store this command could read. Set REDIS_URL (and REDIS_PREFIX if the server uses one) and run this again.';

/** One SCAN round trip looks at up to this many keys: many round trips, none of them blocking Redis for long. */
const SCAN_COUNT = 1000;

/** Escapes Redis glob characters, so a prefix such as `a[1]:` matches only itself. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Calls `each` with batches of key names matching `pattern`, on every master (a Cluster spreads keys over them). */
async function scanKeys(redis: Redis | Cluster, pattern: string, each: (node: Redis, keys: string[]) => Promise<void>): Promise<void> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  try {
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        if (keys.length > 0) await each(node, keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch (err) {
    // The store's rule: Redis's own refusals are bugs; anything else (LOADING, READONLY, … included) means it cannot
    // be used now (the CLI says so).
    if (isReplyError(err)) throw err;
    throw new StoreUnavailableError(err);
  }
}

/** Counts with SCAN (never KEYS, which blocks Redis while it walks every key). */
export async function collectStats(redis: Redis | Cluster, prefix: string): Promise<StoreStats> {
  const patterns = new RedisKeys(escapeGlob(prefix));
  const stats: StoreStats = { secrets: 0, receipts: 0, states: Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number> };

  await scanKeys(redis, patterns.secret('*'), async (_node, keys) => {
    stats.secrets += keys.length;
  });
  await scanKeys(redis, patterns.receipt('*'), async (node, keys) => {
    // The state field only, for a whole batch in one round trip.
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.hget(key, FIELD.state);
    for (const [err, state] of (await pipeline.exec()) ?? []) {
      if (err || typeof state !== 'string') continue; // expired between SCAN and HGET
      stats.receipts += 1;
      if ((STATES as readonly string[]).includes(state)) stats.states[state as State] += 1;
    }
  });
  return stats;
}

/** Tab-separated lines for scripts: `secrets	3`, `receipts	7`, `receipts.new	1`, … */
export function formatStats(stats: StoreStats): string {
  const lines = [`secrets\t${stats.secrets}`, `receipts\t${stats.receipts}`, ...STATES.map((s) => `receipts.${s}\t${stats.states[s]}`)];
  return `${lines.join('\n')}\n`;
}
