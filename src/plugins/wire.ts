// Which wire version a request speaks, from its path: each answers errors (and reads bodies) in its own way.

export type Wire = 'v1' | 'v2' | 'web';

/** v2 and v3 share one shape, and the incoming API speaks it too; `/api` and anything else under it that is not v2 or v3 is v1; the rest is the web. */
export function wireOf(url: string): Wire {
  if (/^\/api\/(?:v[23]|incoming)(?:[/?]|$)/.test(url)) return 'v2';
  return url === '/api' || /^\/api[/?]/.test(url) ? 'v1' : 'web';
}
