export interface TtlLimits {
  ttlDefault: number;
  ttlMin: number;
  ttlMaxAnonymous: number;
  ttlMax: number;
}

/** Upstream parses `ttl` like Ruby's to_i: leading digits, anything else 0. Absent means the default. */
export function parseTtl(raw: string | undefined, defaultTtl: number): number {
  if (raw === undefined) return defaultTtl;
  const match = /^\s*[+]?(\d+)/.exec(raw);
  return match ? Math.min(Number(match[1]), Number.MAX_SAFE_INTEGER) : 0;
}

/** Silently clamps into [min, max]; the max depends on whether the caller has an account. */
export function clampTtl(ttl: number, limits: TtlLimits, isAccount: boolean): number {
  const max = isAccount ? limits.ttlMax : limits.ttlMaxAnonymous;
  return Math.max(limits.ttlMin, Math.min(ttl, max));
}
