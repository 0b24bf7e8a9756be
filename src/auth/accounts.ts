import { generateToken, hashToken, tokenMatches } from '../crypto/tokens.js';
import type { Actor } from '../domain/secrets-service.js';
import type { AccountStore } from '../store/types.js';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Account management and credential checks; tokens are shown once and stored only as hashes. */
export class Accounts {
  constructor(private readonly store: AccountStore) {}

  /** The actor for valid credentials, or null. An unknown email costs the same as a wrong token. */
  async authenticate(email: string, token: string): Promise<Actor | null> {
    const normalized = normalizeEmail(email);
    const account = normalized ? await this.store.getAccount(normalized) : null;
    const ok = tokenMatches(token, account?.tokenHash);
    return ok ? { custid: normalized, isAccount: true } : null;
  }

  /** Creates the account (or replaces its token) and returns the token in clear, the only time it is seen. */
  async create(email: string, token: string = generateToken()): Promise<string> {
    const normalized = normalizeEmail(email);
    const existing = await this.store.getAccount(normalized);
    await this.store.putAccount({
      email: normalized,
      tokenHash: hashToken(token),
      created: existing?.created ?? Math.floor(Date.now() / 1000),
    });
    return token;
  }

  async exists(email: string): Promise<boolean> {
    return (await this.store.getAccount(normalizeEmail(email))) !== null;
  }

  async list(): Promise<{ email: string; created: number }[]> {
    return (await this.store.listAccounts()).map(({ email, created }) => ({ email, created }));
  }

  async delete(email: string): Promise<boolean> {
    return this.store.deleteAccount(normalizeEmail(email));
  }
}
