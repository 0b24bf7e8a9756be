// At startup: say whether the store answers and, when it does not, why (requests answer 503 until it does).
import type { FastifyBaseLogger } from 'fastify';
import { usesRedis, type Config } from './config.js';
import { whyRedisFails } from './redis-diagnosis.js';
import { describeStore } from './store/index.js';
import type { Store } from './domain/store.js';

/** Logs "store connected" (info) or "store unreachable: <cause>: …" (warn); true when the store answered. */
export async function reportStore(store: Store, config: Config, log: FastifyBaseLogger): Promise<boolean> {
  const where = describeStore(config);
  const reachable = await store.ping().then(
    () => true,
    () => false,
  );
  if (reachable) {
    log.info({ store: where, reachable }, 'store connected');
    return true;
  }
  const cause = usesRedis(config) ? await whyRedisFails(config) : undefined;
  log.warn(
    { store: where, reachable, ...(cause ? { cause } : {}) },
    `store unreachable${cause ? `: ${cause}` : ''}; API requests answer 503 and /ready fails until it answers`,
  );
  return false;
}
