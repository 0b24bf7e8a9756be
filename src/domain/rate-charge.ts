// A request's rate-limit count, carried to the store so that the step which does the operation (create, claim,
// receipt view, look) counts it too: one Redis script instead of a count and then the operation.
import { errors, type OtsError } from './errors.js';
import type { RateCharge, RateCounts } from './store.js';

/** Records a charge's count; the refusal to throw when it is past the budget, else undefined. */
export function settleCharge(charge: RateCharge, count: number, ttlMs: number): OtsError | undefined {
  if (count <= charge.limit) return undefined;
  charge.refusedForMs = ttlMs;
  return refusal(ttlMs);
}

/** The contract's refusal, with Retry-After in whole seconds (at least 1) until the window ends. */
export function refusal(ttlMs: number): OtsError {
  return errors.rateLimited(Math.max(1, Math.ceil(ttlMs / 1000)));
}

/** Counts a charge by a command of its own, for a store or a step that cannot count it in the operation's own. */
export async function countApart(counts: RateCounts, charge: RateCharge | undefined): Promise<void> {
  if (!charge || charge.counted) return;
  charge.counted = true;
  const { count, ttlMs } = await counts.hit(charge.key, charge.windowMs);
  const refused = settleCharge(charge, count, ttlMs);
  if (refused) throw refused;
}
