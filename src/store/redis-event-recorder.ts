// How the Redis store records webhook events. Outside Cluster the state change's own script does it (the keys and
// arguments handed to it come from here), so an event is recorded exactly when its change happens. On Cluster the
// journal's keys are in another slot: the event is appended right after the change, and one lost between the two
// (the instance dies, Redis fails) is reported, never retried into a user's request (docs/webhooks.md).
import type { ReceiptRecord } from '../domain/receipt.js';
import type { Settle } from '../domain/store.js';
import { claimEventOf, eventFactsOf, type JournalSettings, type WebhookEventType } from '../domain/webhook-queue.js';
import { decodeReceipt } from './receipt-codec.js';
import { encodeFacts } from './redis-journal.js';
import type { OtsRedis } from './redis-client.js';
import { read, type Waits } from './redis-guard.js';
import type { RedisKeys } from './redis-keys.js';

export class EventRecorder {
  /** Whether the state change's own script records the event (not on Cluster). */
  readonly inScript: boolean;
  /** The instance-wide endpoint's event types as the scripts read them: ',type,type,'. */
  readonly wanted: string;
  /** The journal's stream, the account targets and the expiring set (one slot: the `{webhooks}` tag). */
  private readonly journal: readonly [string, string, string];
  /** The journal's keys a create or claim script takes: all three, none on Cluster. */
  readonly scriptKeys: readonly string[];

  constructor(
    private readonly redis: OtsRedis,
    private readonly keys: RedisKeys,
    private readonly waits: Waits,
    journal: JournalSettings,
    /** Told of an event that could not be recorded (Cluster only); the user's request has succeeded anyway. */
    private readonly lostEvent: (type: WebhookEventType, err: unknown) => void,
  ) {
    this.inScript = !redis.isCluster;
    this.wanted = `,${journal.instanceEvents.join(',')},`;
    this.journal = [keys.webhookEvents(), keys.webhookTargets(), keys.webhookExpiring()];
    this.scriptKeys = this.inScript ? this.journal : [];
  }

  /** On Cluster: a stored secret's created (and incoming.received) events, and its expiry to report. */
  async afterCreate(receipt: ReceiptRecord): Promise<void> {
    if (this.inScript) return;
    const expiresAt = (receipt.created + receipt.ttl) * 1000;
    await this.append('secret.created', receipt, 'new', receipt.created, expiresAt);
    if (receipt.source === 'incoming') await this.append('incoming.received', receipt, 'new', receipt.created, '');
  }

  /** On Cluster: a claim's event when it moved the receipt (`before` is the receipt as the claim found it). */
  async afterClaim(before: ReceiptRecord | undefined, settle: Settle): Promise<void> {
    if (this.inScript || !before || !settle.from.includes(before.state)) return;
    await this.append(claimEventOf(settle.to), before, settle.to, settle.at, '');
  }

  /** On Cluster: the event of a claim that won the secret (its receipt is read back: same slot, own step). */
  async afterClaimIfUnchanged(metadataKey: string, settle: Settle): Promise<void> {
    if (this.inScript) return;
    const type = claimEventOf(settle.to);
    try {
      const receipt = decodeReceipt(metadataKey, await read(this.redis.hgetall(this.keys.receipt(metadataKey)), this.waits));
      if (receipt) await this.append(type, receipt, settle.to, settle.at, '');
    } catch (err) {
      this.lostEvent(type, err);
    }
  }

  private async append(type: WebhookEventType, receipt: ReceiptRecord, state: ReceiptRecord['state'], updated: number, expiresAt: number | ''): Promise<void> {
    await this.appendFacts(type, receipt.custid, encodeFacts(eventFactsOf(receipt, state, updated)), expiresAt, receipt.metadataKey);
  }

  /** On Cluster: records an event from its encoded facts (and, with `expiresAt`, the expiry to report). */
  async appendFacts(type: WebhookEventType, custid: string, facts: string[], expiresAt: number | '' = '', metadataKey = ''): Promise<void> {
    try {
      await read(this.redis.otsJournalAppend(...this.journal, this.wanted, type, custid, expiresAt, metadataKey, ...facts), this.waits);
    } catch (err) {
      this.lostEvent(type, err);
    }
  }
}
