// The per-secret passphrase guessing limit (PASSPHRASE_MAX_ATTEMPTS wrong guesses per PASSPHRASE_WINDOW) and the
// passphrase gate of docs/api-v2.md: only a request that commits (a reveal or burn) ever evaluates or counts a
// passphrase; every other look at a locked secret is refused without reading a guess.
import { open, SealError } from '../crypto/seal.js';
import { errors } from './errors.js';
import type { SecretStore } from './store.js';

export interface GuessLimit {
  passphraseMaxAttempts: number;
  passphraseWindow: number;
}

/** A secret's failed guesses within the current window, and that window's seconds left, as the store reads them. */
export interface Attempts {
  failedAttempts: number;
  attemptsTtl: number;
}

export class PassphraseGuard {
  constructor(
    private readonly store: SecretStore,
    private readonly masterKeys: Buffer[],
    private readonly limit: GuessLimit,
    private readonly onWrongGuess: () => void,
  ) {}

  /** Refuses (429) while the secret is locked; the answer depends on the count only, never on a guess. */
  checkUnlocked({ failedAttempts, attemptsTtl }: Attempts): void {
    const { passphraseMaxAttempts: max, passphraseWindow: window } = this.limit;
    if (failedAttempts >= max) throw errors.tooManyAttempts(retryAfter(attemptsTtl, window), max);
  }

  /**
   * Opens a protected record with the given passphrase, for a request that commits. The attempt is counted before
   * the (slow) check, so concurrent guesses cannot exceed the limit; a winning claim clears the count.
   */
  async open(secretKey: string, sealed: Buffer, passphrase: string | undefined, attempts: Attempts, wrong: () => Error): Promise<string> {
    this.checkUnlocked(attempts);
    if (passphrase === undefined || passphrase === '') throw wrong();
    const { passphraseMaxAttempts: max, passphraseWindow: window } = this.limit;
    const counted = await this.store.recordFailedAttempt(secretKey, window);
    if (counted.attempts > max) throw errors.tooManyAttempts(retryAfter(counted.ttl, window), max);
    try {
      return await open(sealed, secretKey, this.masterKeys, passphrase);
    } catch (err) {
      if (!(err instanceof SealError)) throw err;
      this.onWrongGuess();
      throw wrong();
    }
  }
}

/**
 * Seconds until a guessing window ends, from its counter's TTL: at least 1, since a window in its last second reads
 * as 0 (Redis rounds, the memory store floors) and is not a fresh window; the whole window if the TTL is unknown.
 */
function retryAfter(ttl: number, window: number): number {
  return ttl >= 0 ? Math.max(1, ttl) : window;
}
