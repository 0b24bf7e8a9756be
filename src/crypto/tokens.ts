import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new API token: 32 random bytes, hex (64 characters). Shown once; only its hash is stored. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A token an operator chooses (`OTS_ACCOUNTS`, `admin account create|rotate --token`): printable ASCII without
 * spaces, so it can be typed into `curl -u`, and long enough that its stored SHA-256 resists offline guessing as a
 * generated token does: 32 characters hold 128 bits even drawn from hex alone, if drawn at random.
 */
const CHOSEN_TOKEN = /^[\x21-\x7e]{32,256}$/;
export const CHOSEN_TOKEN_RULE = '32 to 256 printable ASCII characters without spaces, chosen at random (e.g. `openssl rand -hex 32`)';

export function isStrongToken(token: string): boolean {
  return CHOSEN_TOKEN.test(token);
}

/**
 * Any token that can be typed into `curl -u`: printable ASCII without spaces. Enough where no stored hash can leak
 * (the in-memory test double, whose fixtures are short); with Redis, config and the admin command ask for a strong one.
 */
const TYPABLE_TOKEN = /^[\x21-\x7e]{1,256}$/;
export const TYPABLE_TOKEN_RULE = '1 to 256 printable ASCII characters without spaces';

export function isTypableToken(token: string): boolean {
  return TYPABLE_TOKEN.test(token);
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
