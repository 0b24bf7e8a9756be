// Upstream's two-tier limit on incoming submissions (docs/contracts/ots-incoming-api.md §4.2, §8.7): per client,
// then per configured recipient, each a counter with lockout in the shared store.
import { errors, retryAfterSeconds } from './errors.js';
import type { RateCounts } from './store.js';

export interface IncomingLimits {
  enabled: boolean;
  maxPerClient: number;
  maxPerRecipient: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export class IncomingLimiter {
  constructor(
    private readonly counts: Pick<RateCounts, 'hitWithLockout'>,
    private readonly limits: IncomingLimits,
  ) {}

  /** Counts a submission from `client` (a client group; none: not counted), or throws the 429. */
  async client(client: string | undefined): Promise<void> {
    if (client !== undefined) await this.hit(`ip:${client}`, this.limits.maxPerClient);
  }

  /** Counts a submission to a configured recipient, or throws the 429. */
  async recipient(digest: string): Promise<void> {
    await this.hit(`rcpt:${digest}`, this.limits.maxPerRecipient);
  }

  private async hit(key: string, cap: number): Promise<void> {
    if (!this.limits.enabled) return;
    const { windowSeconds, lockoutSeconds } = this.limits;
    const { allowed, retryAfterMs } = await this.counts.hitWithLockout(key, cap, windowSeconds * 1000, lockoutSeconds * 1000);
    if (!allowed) throw errors.incomingLimited(retryAfterSeconds(retryAfterMs), cap);
  }
}
