import { describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { generateToken, hashToken, isStrongToken, tokenMatches } from '../../src/crypto/tokens.js';
import { MemoryStore } from '../../src/store/memory-store.js';

describe('API tokens', () => {
  it('are 64 random hex characters, never repeated', () => {
    const tokens = new Set(Array.from({ length: 100 }, generateToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are stored as a hash that is not the token and does not contain it', () => {
    const token = generateToken();
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toBe(token);
    expect(hash).not.toContain(token);
    expect(hashToken(token)).toBe(hash);
    expect(hashToken(generateToken())).not.toBe(hash);
  });

  it('match only the token they were hashed from', () => {
    const token = generateToken();
    const stored = hashToken(token);
    expect(tokenMatches(token, stored)).toBe(true);
    expect(tokenMatches(generateToken(), stored)).toBe(false);
    expect(tokenMatches(token.slice(0, -1), stored)).toBe(false);
    expect(tokenMatches('', stored)).toBe(false);
    // The hash itself is not a credential.
    expect(tokenMatches(stored, stored)).toBe(false);
  });

  it('never match when there is no stored hash (unknown account), nor a malformed one', () => {
    expect(tokenMatches(generateToken(), undefined)).toBe(false);
    expect(tokenMatches('', undefined)).toBe(false);
    expect(tokenMatches('abc', 'abc')).toBe(false);
    expect(tokenMatches('abc', '')).toBe(false);
  });
});

// A token an operator chooses is stored as one SHA-256 like a generated one, so it must be as long as a random
// token of 128 bits: 32 characters (hex, the smallest alphabet a random token is commonly drawn from).
describe('chosen tokens (OTS_ACCOUNTS, admin --token)', () => {
  const thirtyOne = 'c0ffee-provisioned-by-ops-0123a'; // 31 characters
  const thirtyTwo = `${thirtyOne}b`;
  const base = { OTS_SECRET: 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00' };

  it('need 32 to 256 printable ASCII characters without spaces', () => {
    expect(thirtyOne).toHaveLength(31);
    expect(isStrongToken(thirtyTwo)).toBe(true);
    expect(isStrongToken(generateToken())).toBe(true);
    expect(isStrongToken('x'.repeat(256))).toBe(true);
    expect(isStrongToken(thirtyOne)).toBe(false);
    expect(isStrongToken('alice-token-0123456789')).toBe(false); // 22 characters: once accepted
    expect(isStrongToken('x'.repeat(257))).toBe(false);
    expect(isStrongToken(`${thirtyOne} `)).toBe(false);
    expect(isStrongToken(`${thirtyOne}é`)).toBe(false);
  });

  it('OTS_ACCOUNTS with Redis refuses a weaker one at startup with the rule, never the token', () => {
    const redis = { ...base, REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...redis, OTS_ACCOUNTS: `ops@example.com:${thirtyTwo}` }).accounts).toEqual([
      { email: 'ops@example.com', token: thirtyTwo },
    ]);
    const refusal = (() => {
      try {
        loadConfig({ ...redis, OTS_ACCOUNTS: `ops@example.com:${thirtyTwo},dev@example.com:${thirtyOne}` });
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as Error).message).toContain('OTS_ACCOUNTS entries must be email:token, the token 32 to 256 printable ASCII characters');
    expect((refusal as Error).message).not.toContain(thirtyOne);
  });

  // No Redis, no dump of token hashes to guess offline: a test double takes its fixtures' short tokens.
  it('OTS_ACCOUNTS in memory mode takes any token without spaces, and still refuses one with a space', () => {
    expect(loadConfig({ OTS_ACCOUNTS: 'a@example.com:test-token' }).accounts).toEqual([{ email: 'a@example.com', token: 'test-token' }]);
    expect(() => loadConfig({ OTS_ACCOUNTS: 'a@example.com:test token' })).toThrow(
      'OTS_ACCOUNTS entries must be email:token, the token 1 to 256 printable ASCII characters without spaces',
    );
  });

  it('an account cannot be created with a token that cannot be typed, whoever asks', async () => {
    const accounts = new Accounts(new MemoryStore().accounts);
    await expect(accounts.create('ops@example.com', 'with space')).rejects.toThrow('a token must be 1 to 256 printable ASCII');
    expect(await accounts.exists('ops@example.com')).toBe(false);
    expect(await accounts.create('ops@example.com', thirtyTwo)).toBe(thirtyTwo);
  });
});
