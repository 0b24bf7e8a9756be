// The name of every Redis key the store writes, under its prefix: one place, for the store, `admin stats` and tests.

export class RedisKeys {
  constructor(private readonly prefix: string) {}
  // The secret and its attempt counter share a hash tag: one slot, so one script may touch both.
  secret = (key: string) => `${this.prefix}secret:{${key}}`;
  /** A secret's key name is these two around the secret key (for the script that finds it in a receipt). */
  secretAround = (): [string, string] => [`${this.prefix}secret:{`, '}'];
  attempts = (key: string) => `${this.prefix}attempts:{${key}}`;
  receipt = (key: string) => `${this.prefix}receipt:${key}`;
  recent = (custid: string) => `${this.prefix}recent:${custid}`;
  account = (email: string) => `${this.prefix}account:${email}`;
  accountId = (id: string) => `${this.prefix}account-id:${id}`;
  rateCount = (key: string) => `${this.prefix}ratelimit:${key}`;
  // A lockout counter and its lock share a hash tag: one script touches both.
  lockoutAttempts = (key: string) => `${this.prefix}incoming:attempts:{${key}}`;
  lockoutLocked = (key: string) => `${this.prefix}incoming:locked:{${key}}`;
  accountIndex = () => `${this.prefix}accounts`;
  // The webhook keys share a hash tag: one slot, so one script may record, sweep and move dead letters.
  webhookEvents = () => `${this.prefix}{webhooks}:events`;
  /** The custids that have an endpoint of their own. */
  webhookTargets = () => `${this.prefix}{webhooks}:targets`;
  webhookTarget = (custid: string) => `${this.prefix}{webhooks}:target:${custid}`;
  /** Receipts whose expiry someone wants to hear of, scored by when their TTL ends (ms). */
  webhookExpiring = () => `${this.prefix}{webhooks}:expiring`;
  webhookDead = () => `${this.prefix}{webhooks}:dead`;
}
