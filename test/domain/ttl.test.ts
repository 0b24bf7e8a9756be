import { describe, expect, it } from 'vitest';
import { clampTtl, parseTtl, type TtlLimits } from '../../src/domain/ttl.js';

const DAY = 86_400;
const LIMITS: TtlLimits = { ttlDefault: 7 * DAY, ttlMin: 60, ttlMaxAnonymous: 7 * DAY, ttlMax: 30 * DAY };

describe('parseTtl: an integer from leading digits, like Ruby to_i', () => {
  it.each([
    ['3600', 3600],
    ['3600abc', 3600],
    [' 42', 42],
    ['\t7', 7],
    ['+5', 5],
    ['3.9', 3],
    ['1e3', 1],
    ['0x10', 0],
    ['abc', 0],
    ['-5', 0],
    ['', 0],
    ['0', 0],
  ])('%j parses as %i', (raw, expected) => {
    expect(parseTtl(raw, 999)).toBe(expected);
  });

  it('uses the default when absent', () => {
    expect(parseTtl(undefined, 604_800)).toBe(604_800);
  });

  it('stays a safe integer for absurdly long digit strings', () => {
    expect(parseTtl('9'.repeat(40), 1)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('clampTtl: silently into [min, max], max by caller', () => {
  it.each([
    [0, 60],
    [59, 60],
    [60, 60],
    [3600, 3600],
    [7 * DAY, 7 * DAY],
    [7 * DAY + 1, 7 * DAY],
    [Number.MAX_SAFE_INTEGER, 7 * DAY],
  ])('anonymous: %i → %i', (ttl, expected) => {
    expect(clampTtl(ttl, LIMITS, false)).toBe(expected);
  });

  it.each([
    [0, 60],
    [59, 60],
    [7 * DAY + 1, 7 * DAY + 1],
    [30 * DAY, 30 * DAY],
    [30 * DAY + 1, 30 * DAY],
    [Number.MAX_SAFE_INTEGER, 30 * DAY],
  ])('account: %i → %i', (ttl, expected) => {
    expect(clampTtl(ttl, LIMITS, true)).toBe(expected);
  });

  it('follows configured bounds', () => {
    const tight: TtlLimits = { ttlDefault: 300, ttlMin: 120, ttlMaxAnonymous: 600, ttlMax: 900 };
    expect(clampTtl(parseTtl('abc', tight.ttlDefault), tight, false)).toBe(120);
    expect(clampTtl(parseTtl(undefined, tight.ttlDefault), tight, false)).toBe(300);
    expect(clampTtl(800, tight, false)).toBe(600);
    expect(clampTtl(800, tight, true)).toBe(800);
    expect(clampTtl(1000, tight, true)).toBe(900);
  });
});
