// The operator's incoming recipients as the wire names them: a keyed digest per address
// (docs/contracts/ots-incoming-api.md §8.5), so the address itself is never public.
import { createHmac } from 'node:crypto';

export interface IncomingRecipient {
  email: string;
  displayName: string;
}

/** Domain separation: these digests can never collide with anything else made from the master key. */
const DIGEST_CONTEXT = 'ots-server/incoming-recipient\0';

/** lowercase hex HMAC-SHA256 of the lower-cased address under `key` (§8.5). */
export function recipientDigest(key: Buffer, email: string): string {
  return createHmac('sha256', key).update(DIGEST_CONTEXT + email.toLowerCase(), 'utf8').digest('hex');
}

/** upstream's sanitizing of a submitted digest (§3.3): trimmed, then only [A-Za-z0-9_-] kept. */
export function sanitizeDigest(raw: string): string {
  return raw.trim().replace(/[^A-Za-z0-9_-]/g, '');
}

export class RecipientTable {
  /** Digests under the current key, in configuration order: what config lists. */
  readonly listed: { digest: string; recipient: IncomingRecipient }[];
  /** Digests under every key (the current and OTS_SECRET_PREVIOUS), so saved digests survive a rotation. */
  private readonly byDigest = new Map<string, { digest: string; recipient: IncomingRecipient }>();

  constructor(recipients: readonly IncomingRecipient[], masterKeys: readonly Buffer[]) {
    this.listed = recipients.map((recipient) => ({ digest: recipientDigest(masterKeys[0]!, recipient.email), recipient }));
    for (const [i, entry] of this.listed.entries()) {
      for (const key of masterKeys) this.byDigest.set(recipientDigest(key, recipients[i]!.email), entry);
    }
  }

  /** The recipient a digest names (exact, case-sensitive), with its current digest. */
  find(digest: string): { digest: string; recipient: IncomingRecipient } | undefined {
    return this.byDigest.get(digest);
  }
}
