// A budget of failed credential checks, per client and per username, on every route that checks credentials (even
// those with no request budget, such as /status): without it a client could guess tokens as fast as it can send.
import { createHash } from 'node:crypto';
import { errors, retryAfterSeconds, type OtsError } from '../domain/errors.js';
import { StoreUnavailableError, type RateCounts } from '../domain/store.js';
import { clientGroup } from './client-address.js';
import { RefusedClients } from './refused-clients.js';

export class CredentialBudget {
  private readonly refused = new RefusedClients();

  /** `limit` failures per `windowMs` window; 0 turns the budget off. */
  constructor(
    private readonly counts: RateCounts,
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** The counts one attempt falls under: its client, and its username (hashed: keys name no account). */
  keys(address: string | undefined, username: string | undefined): string[] {
    if (this.limit === 0) return [];
    const keys = [`auth:${clientGroup(address)}`];
    const name = username?.trim().toLowerCase();
    if (name) keys.push(`auth-user:${createHash('sha256').update(name).digest('hex').slice(0, 32)}`);
    return keys;
  }

  /** The refusal when a key is known to be past its budget: checked on arrival, before any credential check. */
  refusal(keys: readonly string[]): OtsError | undefined {
    for (const key of keys) {
      const left = this.refused.refusedFor(key);
      if (left !== undefined) return errors.rateLimited(retryAfterSeconds(left));
    }
    return undefined;
  }

  /** Counts a failed check on every key; the refusal when one has now passed its budget (then remembered). */
  async failed(keys: readonly string[]): Promise<OtsError | undefined> {
    let refusal: OtsError | undefined;
    for (const key of keys) {
      let result;
      try {
        result = await this.counts.take(key, this.windowMs, 1, this.limit);
      } catch (err) {
        if (err instanceof StoreUnavailableError) continue; // a store that cannot count refuses nothing
        throw err;
      }
      if (result.taken) continue;
      this.refused.remember(key, result.ttlMs);
      refusal ??= errors.rateLimited(retryAfterSeconds(result.ttlMs));
    }
    return refusal;
  }
}
