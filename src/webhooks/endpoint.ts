// The one rule for a webhook endpoint, WEBHOOK_URL's and an account's alike: an absolute http or https URL without
// a user or password in it (they would travel in logs and dumps; the signature authenticates each post).

/** The URL as it will be posted to, or what is wrong with it (never echoing it: its query may hold a token). */
export function checkEndpoint(raw: string): { href: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { problem: 'must be an absolute http or https URL such as https://hooks.example.com/ots' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: 'must use http or https' };
  if (url.username || url.password) return { problem: 'must not hold a user or password (the signature authenticates each post)' };
  return { href: url.href };
}
