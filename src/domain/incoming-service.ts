// The rules of incoming secrets (docs/contracts/ots-incoming-api.md §3, §8): anyone submits a secret to one of the
// operator's recipients, who is mailed its link; the sender gets only the receipt. No HTTP here.
import { errors } from './errors.js';
import { IncomingLimiter, type IncomingLimits } from './incoming-limiter.js';
import { cleanMemo } from './incoming-memo.js';
import { RecipientTable, sanitizeDigest, type IncomingRecipient } from './incoming-recipients.js';
import { obfuscateEmail } from './recipient.js';
import type { IncomingReceivedEvent, ReceiptSnapshot, SecretsService, ServiceEvents } from './secrets-service.js';
import type { RateCounts } from './store.js';

export interface IncomingSettings {
  enabled: boolean;
  recipients: readonly IncomingRecipient[];
  memoMaxLength: number;
  secretMaxBytes: number;
  defaultTtl: number;
  defaultPassphrase: string | undefined;
  limits: IncomingLimits;
}

/** What `GET /api/incoming/config` shows: no address. */
export interface IncomingPublicConfig {
  enabled: boolean;
  memoMaxLength: number;
  secretMaxLength: number;
  defaultTtl: number;
  recipients: { digest: string; displayName: string }[];
}

/** A submission as each wire translates it; anything else the sender sends is ignored. */
export interface IncomingSubmission {
  secret?: string;
  recipient?: string;
  memo?: string;
}

export interface IncomingResult {
  snapshot: ReceiptSnapshot;
  memo: string;
  digest: string;
}

export class IncomingService {
  private readonly table: RecipientTable;
  private readonly limiter: IncomingLimiter;

  constructor(
    private readonly secrets: SecretsService,
    private readonly settings: IncomingSettings,
    masterKeys: readonly Buffer[],
    counts: Pick<RateCounts, 'hitWithLockout'>,
    private readonly events: ServiceEvents = {},
  ) {
    this.table = new RecipientTable(settings.recipients, masterKeys);
    this.limiter = new IncomingLimiter(counts, settings.limits);
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  config(): IncomingPublicConfig {
    const { enabled, memoMaxLength, secretMaxBytes, defaultTtl } = this.settings;
    const recipients = enabled ? this.table.listed.map(({ digest, recipient }) => ({ digest, displayName: recipient.displayName })) : [];
    return { enabled, memoMaxLength, secretMaxLength: secretMaxBytes, defaultTtl, recipients };
  }

  /** Whether a digest names a recipient; compared exactly after trimming only (§3.2). */
  validate(raw: string | undefined): { recipient: string; valid: boolean } {
    if (!this.settings.enabled) throw errors.incomingDisabled();
    const recipient = (raw ?? '').trim();
    if (recipient === '') throw errors.recipientHashRequired();
    return { recipient, valid: this.table.find(recipient) !== undefined };
  }

  /**
   * Stores the secret for the chosen recipient and announces it (the mailer sends the link). Checks in the
   * contract's order (§3.3, §8.8): enabled, secret, size, recipient, client tier, lookup, recipient tier.
   * `client` is the sender's client group for the limiter.
   */
  async submit(input: IncomingSubmission, client: string | undefined): Promise<IncomingResult> {
    if (!this.settings.enabled) throw errors.incomingDisabled();
    const { secret } = input;
    if (secret === undefined || secret === '') throw errors.secretRequired();
    if (Buffer.byteLength(secret, 'utf8') > this.settings.secretMaxBytes) throw errors.secretTooLarge(this.settings.secretMaxBytes);
    const asked = sanitizeDigest(input.recipient ?? '');
    if (asked === '') throw errors.recipientRequired();
    // Unknown digests count against the client (bounds guessing) but create no recipient counters.
    await this.limiter.client(client);
    const found = this.table.find(asked);
    if (!found) throw errors.unknownRecipient();
    await this.limiter.recipient(found.digest);

    const { recipient } = found;
    const memo = cleanMemo(input.memo, this.settings.memoMaxLength);
    const snapshot = await this.secrets.createIncoming(secret, {
      ttl: this.settings.defaultTtl,
      passphrase: this.settings.defaultPassphrase,
      recipient: obfuscateEmail(recipient.email),
      recipientName: recipient.displayName,
      recipientDigest: found.digest,
      memo,
    });
    const { receipt } = snapshot;
    const event: IncomingReceivedEvent = {
      receiptShortid: receipt.metadataKey.slice(0, 8),
      recipientDigest: found.digest,
      displayName: recipient.displayName,
      created: receipt.created,
      expires: receipt.created + receipt.ttl,
    };
    this.events.incomingReceived?.(event, { receipt, address: recipient.email });
    return { snapshot, memo, digest: asked };
  }
}
