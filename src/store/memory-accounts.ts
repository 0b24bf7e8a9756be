import type { AccountRecord, AccountStore } from '../domain/store.js';

export class MemoryAccountStore implements AccountStore {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly emailsById = new Map<string, string>();

  async getAccount(email: string): Promise<AccountRecord | null> {
    const a = this.accounts.get(email);
    return a ? { ...a } : null;
  }

  async emailOfId(id: string): Promise<string | null> {
    return this.emailsById.get(id) ?? null;
  }

  async putAccount(account: AccountRecord): Promise<void> {
    this.accounts.set(account.email, { ...account });
    this.emailsById.set(account.customerId, account.email);
    this.emailsById.set(account.organizationId, account.email);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return [...this.accounts.values()].sort((a, b) => a.email.localeCompare(b.email));
  }

  async deleteAccount(email: string): Promise<boolean> {
    const account = this.accounts.get(email);
    if (account) {
      this.emailsById.delete(account.customerId);
      this.emailsById.delete(account.organizationId);
    }
    return this.accounts.delete(email);
  }
}
