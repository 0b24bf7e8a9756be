// The delivery worker each server process runs: it takes entries from the shared queue (at most WEBHOOK_CONCURRENCY
// posts at once), posts each signed, acknowledges it after a 2xx, leaves a failure for the queue to hand out again
// after the retry wait, and moves it to the dead letters after its last try. A second timer reports expiries.
// Nothing here can fail a user's request: every queue error is logged and waited out.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { INSTANCE_TARGET, type QueuedEvent, type WebhookStore } from '../domain/webhook-queue.js';
import { failureClassOf, type DeliveryMetrics } from './delivery-metrics.js';
import { postWebhook, type PostResult } from './egress.js';
import { webhookBody } from './payload.js';
import { retryWaitMs } from './retry-schedule.js';
import { signatureHeaders } from './signing.js';

export interface DeliverySettings {
  /** WEBHOOK_URL and WEBHOOK_SECRET; undefined when no instance-wide endpoint is set. */
  instance: { url: string; secret: string } | undefined;
  timeoutMs: number;
  attempts: number;
  retryDelayMs: number;
  concurrency: number;
  expiryScanMs: number;
}

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DelivererOptions {
  webhooks: WebhookStore;
  settings: DeliverySettings;
  log: DeliveryLog;
  metrics?: DeliveryMetrics | undefined;
  /** The clock secrets expire by (the test double's adjustable one); signatures always use the real time. */
  now?: (() => number) | undefined;
}

/** How often an idle worker asks for new entries. */
const IDLE_POLL_MS = 250;
/** How often a worker without WEBHOOK_URL looks whether an account endpoint was set (or the last removed). */
const NO_ENDPOINT_POLL_MS = 5_000;
/** The longest wait between asks while the queue (Redis) does not answer. */
const MAX_OUTAGE_WAIT_MS = 30_000;
const QUEUE_AGE_SAMPLE_MS = 15_000;
const SWEEP_BATCH = 100;
/** Batches per sweep tick: a large backlog of expiries is worked off over several ticks, not in one long run. */
const SWEEP_ROUNDS = 50;
/** How often a worker forgets the group's workers that stopped (held nothing, unseen for STOPPED_AFTER_MS). */
const PRUNE_EVERY_MS = 10 * 60_000;
const STOPPED_AFTER_MS = 60 * 60_000;
/** What stop() allows beyond the post timeout for the acknowledgement that follows it. */
const ACK_GRACE_MS = 1000;

/** A queue error as a log field: its kind and message, never the command's arguments. */
const errorField = (err: unknown) => ({ type: (err as Error).name, message: (err as Error).message });

export class WebhookDeliverer {
  /** This process's name in the consumer group: unique per process, so a restarted one never inherits a dead one's. */
  readonly consumer = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private pollTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private taking: Promise<void> | undefined;
  private sweeping: Promise<void> | undefined;
  private queueFailures = 0;
  private lastAgeSample = 0;
  private lastPrune = 0;
  private accountEndpoints = false;
  private endpointsCheckedAt = 0;
  private readonly now: () => number;
  /** The wait before the queue hands an entry out again, by how often it was handed out. */
  readonly waitMs: (deliveries: number) => number;

  constructor(private readonly options: DelivererOptions) {
    this.now = options.now ?? Date.now;
    const { retryDelayMs, timeoutMs } = options.settings;
    this.waitMs = (deliveries) => retryWaitMs(deliveries, { retryDelayMs, timeoutMs });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
    this.sweepTimer = setInterval(() => this.sweep(), this.options.settings.expiryScanMs);
    this.sweepTimer.unref();
  }

  /** Stops taking entries and waits for the posts in flight (at most the post timeout, then their ack). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearInterval(this.sweepTimer);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.settings.timeoutMs + ACK_GRACE_MS);
    });
    // A take under way may still hand out entries: they are posted too, rather than left for a takeover.
    const settled = Promise.allSettled([this.taking, this.sweeping]).then(() => Promise.allSettled([...this.inFlight]));
    await Promise.race([settled, limit]);
    clearTimeout(timer);
  }

  /** Asks the queue after `delayMs`, unless an ask is under way (it schedules the next itself). */
  private schedule(delayMs: number): void {
    if (!this.running || this.taking) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.taking = this.take().then((next) => {
        this.taking = undefined;
        this.schedule(next);
      });
    }, delayMs);
    this.pollTimer.unref();
  }

  /** Takes what fits in the free slots, retries first; answers when to ask next. */
  private async take(): Promise<number> {
    const { queue } = this.options.webhooks;
    const free = this.options.settings.concurrency - this.inFlight.size;
    if (free <= 0) return IDLE_POLL_MS; // a finished post asks again at once
    try {
      // Without WEBHOOK_URL and without any account endpoint nothing is recorded: look again now and then only.
      if (!(await this.anyEndpoint())) return NO_ENDPOINT_POLL_MS;
      const due = await queue.takeDue(this.consumer, free, this.waitMs);
      const fresh = due.length < free ? await queue.takeNew(this.consumer, free - due.length) : [];
      for (const event of [...due, ...fresh]) this.launch(event);
      if (this.queueFailures > 0) this.options.log.info({ consumer: this.consumer }, 'webhook queue answers again; delivering');
      this.queueFailures = 0;
      this.sampleQueueAge();
      // A full batch means more may be waiting.
      return due.length + fresh.length === free ? 0 : IDLE_POLL_MS;
    } catch (err) {
      this.queueFailures++;
      const next = Math.min(IDLE_POLL_MS * 2 ** this.queueFailures, MAX_OUTAGE_WAIT_MS);
      this.options.log.warn({ err: errorField(err), retryInMs: next }, 'webhook queue unavailable; deliveries wait for it');
      return next;
    }
  }

  /**
   * Whether any endpoint exists: WEBHOOK_URL, or an account's. The account endpoints are listed again only every
   * NO_ENDPOINT_POLL_MS, not on every take.
   */
  private async anyEndpoint(): Promise<boolean> {
    if (this.options.settings.instance) return true;
    if (Date.now() - this.endpointsCheckedAt >= NO_ENDPOINT_POLL_MS) {
      this.accountEndpoints = (await this.options.webhooks.targets.list()).length > 0;
      this.endpointsCheckedAt = Date.now();
    }
    return this.accountEndpoints;
  }

  private launch(event: QueuedEvent): void {
    const delivery = this.deliver(event).catch((err: unknown) => {
      // The queue or the account endpoints (Redis) failed: left unacknowledged, it is handed out again after the wait.
      this.options.log.warn({ ...describe(event), err: errorField(err) }, 'webhook delivery interrupted by a store error; tried again later');
    });
    this.inFlight.add(delivery);
    void delivery.then(() => {
      this.inFlight.delete(delivery);
      this.schedule(0);
    });
  }

  private async deliver(event: QueuedEvent): Promise<void> {
    const { queue } = this.options.webhooks;
    const { metrics, log, settings } = this.options;
    const about = describe(event);
    const endpoint = event.target === INSTANCE_TARGET ? settings.instance : await this.options.webhooks.targets.get(event.target);
    if (!endpoint) {
      await queue.ack(event);
      log.info(about, 'webhook dropped: its endpoint was removed');
      return;
    }
    if (event.deliveries > 1) metrics?.retried();
    const result = await post(event, endpoint, settings.timeoutMs);
    if (result.ok) {
      metrics?.delivered();
      await queue.ack(event);
      log.info({ ...about, status: result.status }, 'webhook delivered');
      return;
    }
    metrics?.failed(failureClassOf(result.status));
    const why = result.status === undefined ? result.error : `HTTP ${result.status}`;
    const outcome = { ...about, status: result.status, error: result.error };
    if (event.deliveries >= settings.attempts) {
      await queue.deadLetter(event, why ?? 'failed');
      metrics?.deadLettered();
      log.warn(outcome, `webhook failed its last try (${why}); moved to the dead letters`);
      return;
    }
    log.warn({ ...outcome, retryInMs: this.waitMs(event.deliveries) }, `webhook failed (${why}); tried again later`);
  }

  /** Reports secrets that expired unread, batch by batch while full batches come back. */
  private sweep(): void {
    if (!this.running || this.sweeping) return;
    const { queue } = this.options.webhooks;
    this.sweeping = (async () => {
      for (let round = 0; round < SWEEP_ROUNDS && this.running; round++) {
        if ((await queue.sweepExpired(this.now(), SWEEP_BATCH)) < SWEEP_BATCH) break;
      }
      this.schedule(0); // deliver the new expiries now, not at the next poll
      if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        // Every process start joins the group under a new name: the stopped ones would pile up in `webhooks status`.
        const forgotten = await queue.forgetIdleConsumers(STOPPED_AFTER_MS);
        if (forgotten > 0) this.options.log.info({ forgotten }, 'webhook queue: forgot workers idle for an hour that held nothing');
      }
    })()
      .catch((err: unknown) => this.options.log.warn({ err: errorField(err) }, 'webhook expiry sweep failed; tried again at the next'))
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private sampleQueueAge(): void {
    const { metrics } = this.options;
    if (!metrics || Date.now() - this.lastAgeSample < QUEUE_AGE_SAMPLE_MS) return;
    this.lastAgeSample = Date.now();
    this.options.webhooks.queue.status().then(
      (status) => metrics.queueAge(status.oldestAgeMs),
      () => undefined, // the next take reports an unavailable queue
    );
  }
}

/** An event in a log line: never the custid (an email), the URL, the payload or the secret. */
function describe(event: QueuedEvent) {
  return { type: event.type, shortid: event.facts.shortid, target: event.target === INSTANCE_TARGET ? 'instance' : 'account', attempt: event.deliveries };
}

/** Signs and posts one try; an unusable signing secret is a failed try like any other. */
async function post(event: QueuedEvent, endpoint: { url: string; secret: string }, timeoutMs: number): Promise<PostResult> {
  const body = webhookBody(event);
  let headers: Record<string, string>;
  try {
    headers = { ...signatureHeaders(endpoint.secret, event.messageId, body, new Date()) };
  } catch {
    return { ok: false, error: 'unusable signing secret' };
  }
  return postWebhook(endpoint.url, body, headers, timeoutMs);
}
