// Accounts and rate counts in Redis, beside the secrets (redis-store.ts) under the same key prefix.
import type { AccountRecord, AccountStore, RateCounts } from '../domain/store.js';
import type { OtsRedis } from './redis-client.js';
import { read, type Waits } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

export class RedisAccountStore implements AccountStore {
  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly waits: Waits,
  ) {}

  async getAccount(email: string): Promise<AccountRecord | null> {
    const f = await read(this.redis.hgetall(this.keys.account(email)), this.waits);
    return f.h ? { email, tokenHash: f.h, created: Number(f.c), customerId: f.ur ?? '', organizationId: f.on ?? '' } : null;
  }

  async emailOfId(id: string): Promise<string | null> {
    return read(this.redis.get(this.keys.accountId(id)), this.waits);
  }

  async putAccount(a: AccountRecord): Promise<void> {
    const fields = ['h', a.tokenHash, 'c', String(a.created), 'ur', a.customerId, 'on', a.organizationId];
    await read(
      Promise.all([
        this.redis.hset(this.keys.account(a.email), ...fields),
        this.redis.sadd(this.keys.accountIndex(), a.email),
        this.redis.set(this.keys.accountId(a.customerId), a.email),
        this.redis.set(this.keys.accountId(a.organizationId), a.email),
      ]),
      this.waits,
    );
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const emails = (await read(this.redis.smembers(this.keys.accountIndex()), this.waits)).sort();
    const found = await Promise.all(emails.map((e) => this.getAccount(e)));
    return found.filter((a): a is AccountRecord => a !== null);
  }

  async deleteAccount(email: string): Promise<boolean> {
    const account = await this.getAccount(email);
    const ids = account ? [account.customerId, account.organizationId].filter(Boolean).map(this.keys.accountId) : [];
    const [deleted] = await read(
      Promise.all([
        this.redis.del(this.keys.account(email)),
        this.redis.srem(this.keys.accountIndex(), email),
        ...ids.map((k) => this.redis.del(k)),
      ]),
      this.waits,
    );
    return deleted === 1;
  }
}

/** Rate counts in Redis under the store's prefix, so every instance on this Redis shares one count per client. */
export class RedisRateCounts implements RateCounts {
  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly waits: Waits,
  ) {}

  async take(key: string, windowMs: number, units: number, limit: number): Promise<{ count: number; ttlMs: number; taken: boolean }> {
    const [count, ttlMs, taken] = await read(this.redis.otsRateTake(this.keys.rateCount(key), windowMs, units, limit), this.waits);
    return { count, ttlMs, taken: taken === 1 };
  }

  async hitWithLockout(key: string, cap: number, windowMs: number, lockoutMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const hit = this.redis.otsLockoutHit(this.keys.lockoutAttempts(key), this.keys.lockoutLocked(key), cap, windowMs, lockoutMs);
    const [allowed, retryAfterMs] = await read(hit, this.waits);
    return { allowed: allowed === 1, retryAfterMs };
  }
}
