import type { Transporter } from 'nodemailer';
import type { ServiceEvents } from '../domain/secrets-service.js';
import { incomingMessage } from './incoming-message.js';
import { recipientMessage, type RecipientMessage } from './message.js';

export interface MailSettings {
  smtpUrl: string;
  smtpFrom: string;
  publicUrl: string;
}

export interface MailLogger {
  warn(obj: object, msg: string): void;
}

/** How long app shutdown waits for emails still being sent before it drops them. */
const DRAIN_MS = 5_000;

/**
 * Nodemailer's own timeouts (2 min to connect, 10 min of silence) would let a stuck SMTP server hold sockets
 * for minutes; these are shorter unless the operator's SMTP_URL sets them (`?socketTimeout=…`).
 */
const TIMEOUTS = { connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '30000' };

function withTimeouts(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, ms] of Object.entries(TIMEOUTS)) if (!url.searchParams.has(name)) url.searchParams.set(name, ms);
  return url.toString();
}

/**
 * Emails the link of a secret an account shared with a recipient. Sending runs after the share has answered and
 * never fails it; a failure is logged as a warning with the SMTP error code only (nodemailer's messages can quote
 * the address, and the link is the secret's capability).
 */
export class RecipientMailer {
  /** Loaded only when mail is configured: nodemailer is several MB of memory a server without SMTP_URL never needs. */
  private readonly transport: Promise<Transporter>;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly settings: MailSettings,
    private readonly log: MailLogger,
  ) {
    this.transport = import('nodemailer').then((m) => m.default.createTransport(withTimeouts(settings.smtpUrl)));
  }

  readonly serviceEvents: ServiceEvents = {
    created: (receipt, recipientAddress) => {
      if (recipientAddress !== undefined) this.send(recipientMessage(receipt, this.settings.publicUrl), recipientAddress);
    },
    incomingReceived: (_event, { receipt, address }) => this.send(incomingMessage(receipt, this.settings.publicUrl), address),
  };

  private send({ subject, text }: RecipientMessage, to: string): void {
    const sending = this.transport
      .then((t) => t.sendMail({ from: this.settings.smtpFrom, to, subject, text, disableFileAccess: true, disableUrlAccess: true }))
      .then(
        () => undefined,
        (err: { code?: unknown; responseCode?: unknown }) => {
          this.log.warn({ code: err?.code, responseCode: err?.responseCode }, 'recipient email could not be sent');
        },
      )
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  /** Lets emails in flight finish (up to a few seconds), then closes the transport. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)));
    await Promise.race([Promise.allSettled([...this.pending]), deadline]);
    clearTimeout(timer);
    (await this.transport).close();
  }
}

/** The mailer when SMTP_URL (and SMTP_FROM) are set; without them recipients are only stored, obfuscated. */
export function createRecipientMailer(
  config: { smtpUrl?: string | undefined; smtpFrom?: string | undefined; publicUrl: string },
  log: MailLogger,
): RecipientMailer | undefined {
  if (!config.smtpUrl || !config.smtpFrom) return undefined;
  return new RecipientMailer({ smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom, publicUrl: config.publicUrl }, log);
}
