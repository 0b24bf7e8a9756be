import { describe, expect, it } from 'vitest';
import { generateKey, isWellFormedKey, KEY_LENGTH, shortKey } from '../../src/domain/keys.js';

describe('keys', () => {
  it('are 31 characters of lowercase base36, all distinct', () => {
    const keys = Array.from({ length: 2000 }, generateKey);
    expect(KEY_LENGTH).toBe(31);
    for (const k of keys) expect(k).toMatch(/^[0-9a-z]{31}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('use the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 200 }, generateKey).join(''));
    expect([...seen].sort().join('')).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
  });

  it('are well formed when they are 1–64 characters of [0-9a-z], and only then', () => {
    expect(isWellFormedKey(generateKey())).toBe(true);
    expect(isWellFormedKey('a')).toBe(true);
    expect(isWellFormedKey('0'.repeat(64))).toBe(true);
    expect(isWellFormedKey('0'.repeat(65))).toBe(false);
    expect(isWellFormedKey('')).toBe(false);
    expect(isWellFormedKey('ABC')).toBe(false);
    expect(isWellFormedKey(generateKey().toUpperCase())).toBe(false);
    for (const bad of ['abc-def', 'abc def', 'abc\n', '\nabc', 'abc/..', 'ключ', 'recent.json', '%61']) {
      expect(isWellFormedKey(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('shorten to their first 6 characters for logs and burn responses', () => {
    const key = generateKey();
    expect(shortKey(key)).toBe(key.slice(0, 6));
    expect(shortKey(key)).toHaveLength(6);
  });
});
