// The settings of incoming secrets (docs/contracts/ots-incoming-api.md §8.3–§8.7), spread into config.ts's table.
import { bool, ConfigError, int, optional, setting, type Parser } from './config-parsers.js';

/** An operator's recipient as configured: the address (lower-cased, never public) and its public display name. */
export interface RecipientEntry {
  email: string;
  name: string;
}

/** Upstream allows 20 recipients per custom domain; one list here. */
export const INCOMING_RECIPIENTS_MAX = 20;
const NAME_MAX = 100;
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** One entry: `email` or `email,Display Name`, split at the first comma; the name defaults to the local part. */
function recipientEntry(entry: string, name: string): RecipientEntry {
  const comma = entry.indexOf(',');
  const email = (comma < 0 ? entry : entry.slice(0, comma)).trim().toLowerCase();
  const display = comma < 0 ? '' : entry.slice(comma + 1).trim();
  if (!EMAIL.test(email)) throw new ConfigError(`${name}: "${entry.trim()}" is not an email address`);
  const shown = display || email.slice(0, email.indexOf('@'));
  // eslint-disable-next-line no-control-regex
  if ([...shown].length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(shown)) {
    throw new ConfigError(`${name}: the display name of "${email}" must be at most ${NAME_MAX} characters without control characters`);
  }
  return { email, name: shown };
}

/** Entries separated by `;` or newlines (names may hold commas). */
const recipientList: Parser<RecipientEntry[]> = (raw, name) =>
  raw
    .split(/[;\n]/)
    .filter((entry) => entry.trim() !== '')
    .map((entry) => recipientEntry(entry, name));


const slot = (n: number) =>
  setting(`INCOMING_RECIPIENT_${n}`, undefined, `Upstream's recipient slot ${n} (same syntax as \`INCOMING_RECIPIENTS\`), read after it.`, optional(recipientList));

export const incomingSettings = {
  incomingEnabled: setting(
    'INCOMING_ENABLED',
    undefined,
    'Incoming secrets ("request a secret", `/incoming` and `/api/incoming/*`): on when recipients are configured, unless `false`. `true` without recipients or without `SMTP_URL` fails at startup.',
    optional(bool),
  ),
  incomingRecipients: setting(
    'INCOMING_RECIPIENTS',
    undefined,
    `Recipients anyone may send a secret to, separated by \`;\` or newlines: \`email\` or \`email,Display Name\` (at most ${INCOMING_RECIPIENTS_MAX}). The display name (default: the address's local part) is public; the address never is.`,
    optional(recipientList),
  ),
  incomingRecipient1: slot(1),
  incomingRecipient2: slot(2),
  incomingRecipient3: slot(3),
  incomingRecipient4: slot(4),
  incomingMemoMaxLength: setting('INCOMING_MEMO_MAX_LENGTH', '50', 'Longest memo of an incoming secret in characters; longer ones are cut.', int(1, 500)),
  incomingDefaultTtl: setting(
    'INCOMING_DEFAULT_TTL',
    '604800',
    'TTL in seconds of every incoming secret (the sender cannot choose); within `TTL_MIN`…`TTL_MAX`. Its receipt lives twice as long.',
    int(1, Number.MAX_SAFE_INTEGER),
  ),
  incomingDefaultPassphrase: setting(
    'INCOMING_DEFAULT_PASSPHRASE',
    undefined,
    'Passphrase set on every incoming secret (the recipients must know it); unset: none. `PASSPHRASE_MIN_LENGTH`…128 characters.',
    optional((raw) => raw),
  ),
  incomingRateLimitEnabled: setting('INCOMING_RATE_LIMIT_ENABLED', 'true', 'Limit incoming submissions per client and per recipient (with lockout).', bool),
  incomingRateLimitMaxPerIp: setting(
    'INCOMING_RATE_LIMIT_MAX_PER_IP',
    '10',
    'Incoming submissions per client (IPv4 address or IPv6 /64) per window; the one reaching it passes and locks the client out.',
    int(1, 1_000_000),
  ),
  incomingRateLimitMaxPerRecipient: setting(
    'INCOMING_RATE_LIMIT_MAX_PER_RECIPIENT',
    '30',
    'Incoming submissions per recipient per window, from all clients; the one reaching it passes and locks the recipient.',
    int(1, 1_000_000),
  ),
  incomingRateLimitWindow: setting('INCOMING_RATE_LIMIT_WINDOW', '3600', 'Window in seconds of the incoming submission counts.', int(1, 604_800)),
  incomingRateLimitLockout: setting('INCOMING_RATE_LIMIT_LOCKOUT', '3600', 'Seconds a client or recipient stays locked after reaching its limit.', int(1, 604_800)),
} as const;

interface IncomingValues {
  incomingEnabled?: boolean | undefined;
  incomingRecipients?: RecipientEntry[] | undefined;
  incomingRecipient1?: RecipientEntry[] | undefined;
  incomingRecipient2?: RecipientEntry[] | undefined;
  incomingRecipient3?: RecipientEntry[] | undefined;
  incomingRecipient4?: RecipientEntry[] | undefined;
  incomingDefaultTtl?: number;
  incomingDefaultPassphrase?: string | undefined;
}

/** Every configured recipient in order: `INCOMING_RECIPIENTS`, then `INCOMING_RECIPIENT_1`…`_4`. */
export function incomingRecipientsOf(c: IncomingValues): RecipientEntry[] {
  return [c.incomingRecipients, c.incomingRecipient1, c.incomingRecipient2, c.incomingRecipient3, c.incomingRecipient4].flatMap((l) => l ?? []);
}

/** Whether incoming secrets are on (§8.4): with recipients, unless switched off. */
export function incomingEnabledOf(c: IncomingValues): boolean {
  return c.incomingEnabled !== false && incomingRecipientsOf(c).length > 0;
}

/** The boot checks across settings (§8.4, §8.6), each naming its setting. */
export function incomingProblems(
  c: IncomingValues & { smtpUrl?: string | undefined; ttlMin?: number; ttlMax?: number; passphraseMinLength?: number },
): string[] {
  const recipients = incomingRecipientsOf(c);
  const problems: string[] = [];
  if (c.incomingEnabled === true && recipients.length === 0) problems.push('INCOMING_ENABLED=true needs INCOMING_RECIPIENTS');
  if (recipients.length > 0 && c.incomingEnabled !== false && !c.smtpUrl) problems.push('INCOMING_RECIPIENTS needs SMTP_URL (recipients get the link by email)');
  if (recipients.length > INCOMING_RECIPIENTS_MAX) problems.push(`INCOMING_RECIPIENTS: at most ${INCOMING_RECIPIENTS_MAX} recipients, got ${recipients.length}`);
  const seen = new Set<string>();
  for (const { email } of recipients) {
    if (seen.has(email)) problems.push(`INCOMING_RECIPIENTS: "${email}" is listed twice`);
    seen.add(email);
  }
  // Only when the feature is on: a server without recipients must not fail over a default it never uses.
  const ttl = c.incomingDefaultTtl!;
  if (incomingEnabledOf(c) && (ttl < c.ttlMin! || ttl > c.ttlMax!)) problems.push(`INCOMING_DEFAULT_TTL must lie within TTL_MIN and TTL_MAX (${c.ttlMin}–${c.ttlMax} seconds), got ${ttl}`);
  const passphrase = c.incomingDefaultPassphrase;
  if (passphrase !== undefined && ([...passphrase].length < c.passphraseMinLength! || [...passphrase].length > 128)) {
    problems.push(`INCOMING_DEFAULT_PASSPHRASE must be ${c.passphraseMinLength} to 128 characters long`);
  }
  return problems;
}
