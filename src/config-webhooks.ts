// The settings of webhooks (docs/webhooks.md): the instance-wide endpoint and how every instance delivers, spread
// into config.ts's table. Account endpoints are set with the admin command, not here.
import { ConfigError, entries, int, optional, setting, type Parser } from './config-parsers.js';
import { WEBHOOK_EVENT_TYPES, type JournalSettings, type WebhookEventType } from './domain/webhook-queue.js';
import type { DeliverySettings } from './webhooks/deliverer.js';
import { checkEndpoint } from './webhooks/endpoint.js';
import { signingSecretProblem } from './webhooks/signing.js';

/** An endpoint (endpoint.ts has the rule); the value is never echoed. */
const endpointUrl: Parser<string> = (raw, name) => {
  const checked = checkEndpoint(raw);
  if ('problem' in checked) throw new ConfigError(`${name} ${checked.problem}`);
  return checked.href;
};

const signingSecret: Parser<string> = (raw, name) => {
  const problem = signingSecretProblem(raw.trim());
  if (problem) throw new ConfigError(`${name} ${problem} (make one with: echo whsec_$(openssl rand -base64 32))`);
  return raw.trim();
};

const eventList: Parser<WebhookEventType[]> = (raw, name) => {
  const list = entries(raw.toLowerCase());
  const unknown = list.filter((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0 || list.length === 0) {
    throw new ConfigError(`${name} must list some of ${WEBHOOK_EVENT_TYPES.join(', ')}, got "${raw}"`);
  }
  return WEBHOOK_EVENT_TYPES.filter((type) => list.includes(type));
};

export const webhookSettings = {
  webhookUrl: setting(
    'WEBHOOK_URL',
    undefined,
    'Endpoint that receives every secret\'s events (`https://…`), signed by the Standard Webhooks specification (docs/webhooks.md). Unset: no instance-wide endpoint (account endpoints, set with the admin command, still receive theirs). A user or password in it is refused.',
    optional(endpointUrl),
  ),
  webhookSecret: setting(
    'WEBHOOK_SECRET',
    undefined,
    'Signing secret of `WEBHOOK_URL`: `whsec_` and 24 to 64 random bytes in base64 (`echo whsec_$(openssl rand -base64 32)` makes one). Required with `WEBHOOK_URL`.',
    optional(signingSecret),
  ),
  webhookEvents: setting(
    'WEBHOOK_EVENTS',
    WEBHOOK_EVENT_TYPES.join(','),
    'Events sent to `WEBHOOK_URL`, comma-separated, of `secret.created`, `secret.revealed`, `secret.burned`, `secret.expired` and `incoming.received`. Account endpoints receive all of them.',
    eventList,
  ),
  webhookTimeout: setting(
    'WEBHOOK_TIMEOUT',
    '5',
    'Seconds one delivery may take (connect, send, answer); a slower endpoint counts as failed and is tried again.',
    int(1, 60),
  ),
  webhookAttempts: setting(
    'WEBHOOK_ATTEMPTS',
    '12',
    'Tries per event and endpoint; after the last one fails the event goes to the dead-letter list (see docs/webhooks.md: `admin webhooks status`, `admin webhooks replay`).',
    int(1, 50),
  ),
  webhookRetryDelay: setting(
    'WEBHOOK_RETRY_DELAY',
    '10',
    'Seconds before the first retry; each further retry waits twice as long, at most an hour, and never less than twice `WEBHOOK_TIMEOUT` (an instance that stops mid-delivery hands its events to another after that wait).',
    int(1, 3600),
  ),
  webhookConcurrency: setting(
    'WEBHOOK_CONCURRENCY',
    '4',
    'Deliveries one server process runs at once; a slow endpoint never slows requests, only the events behind it.',
    int(1, 64),
  ),
  webhookExpiryScan: setting(
    'WEBHOOK_EXPIRY_SCAN',
    '15',
    'Seconds between looks for secrets that expired unread (`secret.expired`); each expiry is reported once, by one instance, within a minute.',
    int(1, 60),
  ),
} as const;

interface WebhookValues {
  webhookUrl?: string | undefined;
  webhookSecret?: string | undefined;
  webhookEvents?: readonly WebhookEventType[];
}

interface DeliveryValues {
  webhookTimeout: number;
  webhookAttempts: number;
  webhookRetryDelay: number;
  webhookConcurrency: number;
  webhookExpiryScan: number;
}

/** The boot checks across webhook settings. */
export function webhookProblems(c: WebhookValues): string[] {
  if (c.webhookUrl && !c.webhookSecret) {
    return ['WEBHOOK_SECRET is required when WEBHOOK_URL is set (make one with: echo whsec_$(openssl rand -base64 32))'];
  }
  return [];
}

/** Which events the stores record for the instance-wide endpoint: none without WEBHOOK_URL. */
export function journalSettingsOf(c: WebhookValues): JournalSettings {
  return { instanceEvents: c.webhookUrl ? [...(c.webhookEvents ?? [])] : [] };
}

/** The deliverer's settings, in milliseconds. */
export function deliverySettingsOf(c: WebhookValues & DeliveryValues): DeliverySettings {
  return {
    instance: c.webhookUrl && c.webhookSecret ? { url: c.webhookUrl, secret: c.webhookSecret } : undefined,
    timeoutMs: c.webhookTimeout * 1000,
    attempts: c.webhookAttempts,
    retryDelayMs: c.webhookRetryDelay * 1000,
    concurrency: c.webhookConcurrency,
    expiryScanMs: c.webhookExpiryScan * 1000,
  };
}
