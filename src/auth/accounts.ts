import { generateToken, hashToken, isTypableToken, tokenMatches, TYPABLE_TOKEN_RULE } from '../crypto/tokens.js';
import { generateKey } from '../domain/keys.js';
import type { Actor } from '../domain/secrets-service.js';
import type { AccountRecord, AccountStore } from '../domain/store.js';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Public ids: a prefix (`ur` customer, `on` organization) and 20 base36 characters (about 100 bits). */
const ID_PATTERN = /^(ur|on)[0-9a-z]{20}$/;
const newId = (prefix: 'ur' | 'on') => `${prefix}${generateKey(20)}`;

/** What an operator and a client may know of an account: never its token. */
export interface AccountInfo {
  email: string;
  customerId: string;
  organizationId: string;
  created: number;
}

const info = ({ email, customerId, organizationId, created }: AccountRecord): AccountInfo => ({
  email,
  customerId,
  organizationId,
  created,
});

export function actorOf(account: Pick<AccountRecord, 'email' | 'customerId'>): Actor {
  return { custid: account.email, isAccount: true, customerId: account.customerId };
}

/** Account management and credential checks; tokens are shown once and stored only as hashes. */
export class Accounts {
  constructor(private readonly store: AccountStore) {}

  /**
   * The actor for valid credentials, or null. The username is the account's email (any case), its customer id or
   * its organization id. An unknown user costs the same as a wrong token.
   */
  async authenticate(username: string, token: string): Promise<Actor | null> {
    const account = await this.find(username);
    const ok = tokenMatches(token, account?.tokenHash);
    return ok && account ? actorOf(account) : null;
  }

  private async find(username: string): Promise<AccountRecord | null> {
    const trimmed = username.trim();
    const email = ID_PATTERN.test(trimmed) ? await this.store.emailOfId(trimmed) : normalizeEmail(trimmed);
    return email ? this.store.getAccount(email) : null;
  }

  /**
   * Creates the account (or replaces its token, keeping its ids) and returns the token in clear, the only time it
   * is seen.
   */
  async create(email: string, token: string = generateToken()): Promise<string> {
    // How strong a token must be depends on where its hash is kept, which config (with Redis: 32+ characters) and
    // the admin command know; this keeps any caller to a token that can be typed.
    if (!isTypableToken(token)) throw new Error(`a token must be ${TYPABLE_TOKEN_RULE}`);
    const normalized = normalizeEmail(email);
    const existing = await this.store.getAccount(normalized);
    await this.store.putAccount({
      email: normalized,
      tokenHash: hashToken(token),
      created: existing?.created ?? Math.floor(Date.now() / 1000),
      customerId: existing?.customerId || newId('ur'),
      organizationId: existing?.organizationId || newId('on'),
    });
    return token;
  }

  async exists(email: string): Promise<boolean> {
    return (await this.store.getAccount(normalizeEmail(email))) !== null;
  }

  /** The account's public facts, or null. */
  async get(email: string): Promise<AccountInfo | null> {
    const account = await this.store.getAccount(normalizeEmail(email));
    return account && info(account);
  }

  async list(): Promise<AccountInfo[]> {
    return (await this.store.listAccounts()).map(info);
  }

  async delete(email: string): Promise<boolean> {
    return this.store.deleteAccount(normalizeEmail(email));
  }
}
