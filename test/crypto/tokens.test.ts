import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, tokenMatches } from '../../src/crypto/tokens.js';

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
