// One mapping between the stored receipt state (v1's words) and v2/v3's words (docs/api-v2.md, States).
import type { State } from '../../domain/receipt.js';

/** v2 and v3 receipt states (upstream era C): viewing the receipt is not a state there. */
export type V2State = 'new' | 'revealed' | 'burned' | 'expired' | 'orphaned';

const TO_V2: Record<State, V2State> = {
  new: 'new',
  viewed: 'new',
  received: 'revealed',
  burned: 'burned',
  expired: 'expired',
  orphaned: 'orphaned',
};

export function v2State(state: State): V2State {
  return TO_V2[state];
}

/** A v2 state in which the secret is gone for good. */
export function isDestroyed(state: V2State): boolean {
  return state !== 'new';
}
