import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new API token: 32 random bytes, hex (64 characters). Shown once; only its hash is stored. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** Tokens are high-entropy, so a fast hash suffices; it is independent of the master key so rotation keeps accounts. */
export function hashToken(token: string): string {
  return createHash('sha256').update(`ots-server/v1/token/${token}`).digest('hex');
}

// Compared against when the account does not exist, so an unknown email costs the same as a wrong token.
const DUMMY_HASH = hashToken(randomBytes(32).toString('hex'));

/** Constant-time check of a token against a stored hash (or against a dummy when there is no account). */
export function tokenMatches(token: string, storedHash: string | undefined): boolean {
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash ?? DUMMY_HASH, 'hex');
  const same = stored.length === given.length && timingSafeEqual(given, stored);
  return same && storedHash !== undefined;
}
