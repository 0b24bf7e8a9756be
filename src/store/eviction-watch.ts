// Keeps the eviction policy current: read at start and after every (re)connection, since a Redis restarted with
// another redis.conf, or a failover to a differently configured master, changes it under a running server.
import { Cluster, type Redis } from 'ioredis';
import type { BaseLogger } from 'pino';
import { evictionReason, evictionRefusal, readEvictionPolicy, type EvictionPolicy } from './eviction-policy.js';
import type { StoreCheck, StoreReport } from './store-check.js';

type Log = Pick<BaseLogger, 'info' | 'warn' | 'error'>;

const RETRY_MS = 1_000;

export class EvictionWatch implements StoreCheck {
  /** Undefined until Redis first answered. */
  private current: EvictionPolicy | undefined;
  private reads = 0;
  private warnedUnknown = false;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly allowEviction: boolean,
    private readonly log: Log,
  ) {}

  get policy(): EvictionPolicy | undefined {
    return this.current;
  }

  /**
   * Reads before the server listens: at once when connected, else on a first connection within `waitMs` (a
   * client that just failed its first try often connects a moment later). After that, on every (re)connection.
   */
  async start(waitMs = 1_000): Promise<void> {
    if (this.redis.status !== 'ready') await this.firstReady(waitMs);
    const again = () => void this.check();
    this.redis.on('ready', again);
    // A Cluster emits ready once; its masters reconnect one by one.
    if (this.redis instanceof Cluster) {
      for (const node of this.redis.nodes()) node.on('ready', again);
      this.redis.on('+node', (node: Redis) => node.on('ready', again));
    }
    // A slow first answer (a Cluster's masters are connected on first use) gets two more tries before listening.
    for (let tries = 0; tries < 3 && !this.current && this.redis.status === 'ready'; tries++) await this.check();
  }

  private firstReady(waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.redis.once('ready', done);
    });
  }

  /** The refusal paragraph when the policy evicts and the operator did not opt in; else undefined. */
  refusal(): string | undefined {
    return this.current?.kind === 'evicting' && !this.allowEviction ? evictionRefusal(this.current.policy) : undefined;
  }

  report(): StoreReport {
    const p = this.current;
    if (!p) return { fields: {} };
    const evictionPolicy = p.kind === 'unknown' ? 'unknown' : p.policy;
    return { fields: { evictionPolicy }, unready: p.kind === 'evicting' && !this.allowEviction ? evictionReason(p.policy) : undefined };
  }

  private async check(): Promise<void> {
    const read = ++this.reads;
    let next: EvictionPolicy;
    try {
      next = await readEvictionPolicy(this.redis);
    } catch {
      // A dropped connection reads again on its next ready; one that stayed up (a timeout) is retried shortly.
      if (read === this.reads && this.redis.status === 'ready') setTimeout(() => void this.check(), RETRY_MS).unref();
      return;
    }
    if (read !== this.reads || same(next, this.current)) return;
    this.current = next;
    this.logChange(next);
  }

  private logChange(p: EvictionPolicy): void {
    if (p.kind === 'safe') this.log.info({ evictionPolicy: p.policy }, 'Redis maxmemory-policy is noeviction');
    else if (p.kind === 'unknown') {
      if (this.warnedUnknown) return;
      this.warnedUnknown = true;
      this.log.warn(
        { evictionPolicy: 'unknown', reason: p.reason },
        'cannot read Redis maxmemory-policy (CONFIG refused): make sure it is noeviction, or secrets may be evicted',
      );
    } else if (this.allowEviction) {
      this.log.warn({ evictionPolicy: p.policy }, `${evictionReason(p.policy)} (running anyway: REDIS_ALLOW_EVICTION=true)`);
    } else {
      this.log.error({ evictionPolicy: p.policy }, `${evictionReason(p.policy)}: /ready answers 503 until it is`);
    }
  }
}

function same(a: EvictionPolicy, b: EvictionPolicy | undefined): boolean {
  return a.kind === b?.kind && (a.kind === 'unknown' || a.policy === (b as { policy: string }).policy);
}
