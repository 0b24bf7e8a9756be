// Command-line parsing for the admin tool: argv in, one validated command out (or a UsageError).
import { CHOSEN_TOKEN_RULE, isStrongToken } from '../crypto/tokens.js';
import { checkEndpoint } from '../webhooks/endpoint.js';

export type AdminCommand =
  | { kind: 'help' }
  | { kind: 'create'; email: string; token?: string }
  | { kind: 'list' }
  | { kind: 'rotate'; email: string; token?: string }
  | { kind: 'delete'; email: string }
  | { kind: 'stats' }
  | { kind: 'webhook-set'; email: string; url: string }
  | { kind: 'webhook-show'; email: string }
  | { kind: 'webhook-remove'; email: string }
  | { kind: 'webhooks-status' }
  | { kind: 'webhooks-dead'; max: number }
  /** `max` undefined: every dead letter there is when the command starts. */
  | { kind: 'webhooks-replay'; max?: number };

export class UsageError extends Error {}

/** A command that could not be done (unknown account, …): exit 1, the message on stderr. */
export class CommandFailed extends Error {}

/** How many dead letters `webhooks dead` lists without --max. */
export const DEAD_LIST_DEFAULT = 100;

export const USAGE = `Usage: npm run --silent admin -- <command>

Commands:
  account create <email> [--token <token>]   create an account; prints only its API token (its ids on stderr)
  account list                               one line per account, tab-separated: email, creation date (ISO 8601),
                                             customer id (ur…), organization id (on…)
  account rotate <email> [--token <token>]   replace the account's token; prints only the new token
  account delete <email>                     delete the account
  stats                                      live secrets and receipts, and receipts by state (tab-separated)
  webhook set <email> <url>                  send the account's events to <url> (http or https); prints only the
                                             new signing secret (whsec_…), shown once; replaces an existing one
  webhook show <email>                       the account's endpoint: url and creation date (never the secret)
  webhook remove <email>                     stop sending the account's events
  webhooks status                            the delivery queue (tab-separated): queued, pending (in delivery or
                                             waiting for a retry), oldest_seconds, dead_letters, then one line per
                                             consumer: consumer, name, entries held, seconds since last seen
  webhooks dead [--max <n>]                  the oldest dead letters (default ${DEAD_LIST_DEFAULT}), one per line, tab-separated:
                                             message id, event type, shortid, target (instance or account),
                                             failed at (ISO 8601), reason
  webhooks replay [--max <n>]                queue dead letters again with fresh tries (default all, oldest first);
                                             prints how many
  --help                                     this text

Without --token a random 64-hex-character token is made; a --token must be ${CHOSEN_TOKEN_RULE}.
Tokens are shown once and stored only as hashes.
The accounts live in the Redis given by REDIS_URL (keys prefixed with REDIS_PREFIX); OTS_SECRET is not needed.
Accounts listed in OTS_ACCOUNTS are re-created each time the server starts.
An API client may log in with the email, the customer id or the organization id; the ids survive token rotation.
stats scans the same Redis (SCAN, never KEYS). States are as stored: a new or viewed receipt whose secret expired
unread counts as new or viewed until someone looks at it.

Webhook endpoints and the delivery queue live in the same Redis (docs/webhooks.md); a replayed event keeps its
webhook-id, so receivers that dedupe on it see it once.

Exit status: 0 done, 1 failed (unknown or existing account or endpoint, Redis unreachable), 2 usage error,
78 configuration error.
`;

/** Each command's form as USAGE spells it: `account create <email> [--token <token>]`, `stats`, … */
const FORMS = [...USAGE.matchAll(/^ {2}([a-z].*?) {2,}/gm)].map((m) => m[1]!);

/**
 * The forms that apply to what was typed (`account create …` → the create form; `account frobnicate` → the account
 * forms), so a usage error shows what to type instead of the whole text; none when no command was recognised.
 */
export function usageFor(argv: string[]): string[] {
  const [group, verb] = argv.filter((arg) => !arg.startsWith('-'));
  if (group === undefined) return [];
  const startsWith = (prefix: string) => FORMS.filter((form) => form === prefix || form.startsWith(`${prefix} `));
  const exact = verb === undefined ? [] : startsWith(`${group} ${verb}`);
  return exact.length > 0 ? exact : startsWith(group);
}

// A colon would end the user part of HTTP Basic credentials, so such an account could never log in.
const EMAIL_PATTERN = /^[^\s:@]+@[^\s:@]+$/;

function email(value: string | undefined): string {
  if (value === undefined) throw new UsageError('missing <email>');
  if (!EMAIL_PATTERN.test(value)) throw new UsageError(`not an email address: "${value}"`);
  return value.toLowerCase();
}

function token(value: string): string {
  // The value is never echoed: it is a credential.
  if (!isStrongToken(value)) throw new UsageError(`--token must be ${CHOSEN_TOKEN_RULE}`);
  return value;
}

function count(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new UsageError(`--max must be a whole number from 1 to 9999999, not "${value}"`);
  return Number(value);
}

interface Split {
  words: string[];
  token?: string;
  max?: number;
  help: boolean;
}

/** Splits argv into positional words and option values (`--token x` or `--token=x`); --help wins over everything. */
function split(argv: string[]): Split {
  const words: string[] = [];
  const options: { token?: string; max?: number } = {};
  const readers = { token, max: count } as const;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = /^--(token|max)(?:=|$)/.exec(arg)?.[1] as keyof typeof readers | undefined;
    if (arg === '--help' || arg === '-h') help = true;
    else if (name !== undefined) {
      if (options[name] !== undefined) throw new UsageError(`--${name} given twice`);
      const value = arg === `--${name}` ? argv[++i] : arg.slice(`--${name}=`.length);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      Object.assign(options, { [name]: readers[name](value) });
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg.split('=')[0]}`);
    else words.push(arg);
  }
  return { words, ...options, help };
}

/** Refuses the options a command does not take: `what` names the command in the message. */
function only(given: Split, what: string, allowed: ('token' | 'max')[]): void {
  for (const name of ['token', 'max'] as const) {
    if (given[name] !== undefined && !allowed.includes(name)) throw new UsageError(`${what} takes no --${name}`);
  }
}

function none(value: string | undefined): void {
  if (value !== undefined) throw new UsageError(`unexpected argument "${value}"`);
}

/** An endpoint an operator may set (src/webhooks/endpoint.ts has the rule; the URL is shown by `webhook show`). */
function endpoint(value: string | undefined): string {
  if (value === undefined) throw new UsageError('missing <url>');
  const checked = checkEndpoint(value);
  if ('problem' in checked) throw new UsageError(`<url> ${checked.problem}`);
  return checked.href;
}

function parseAccount(given: Split, verb: string | undefined, target: string | undefined): AdminCommand {
  switch (verb) {
    case 'create':
    case 'rotate':
      only(given, `account ${verb}`, ['token']);
      return { kind: verb, email: email(target), ...(given.token === undefined ? {} : { token: given.token }) };
    case 'delete':
      only(given, `account ${verb}`, []);
      return { kind: 'delete', email: email(target) };
    case 'list':
      only(given, `account ${verb}`, []);
      none(target);
      return { kind: 'list' };
    case undefined:
      throw new UsageError('missing account command (create, list, rotate or delete)');
    default:
      throw new UsageError(`unknown account command "${verb}"`);
  }
}

function parseWebhook(given: Split, verb: string | undefined, target: string | undefined, url: string | undefined): AdminCommand {
  if (verb !== undefined) only(given, `webhook ${verb}`, []);
  switch (verb) {
    case 'set':
      return { kind: 'webhook-set', email: email(target), url: endpoint(url) };
    case 'show':
    case 'remove':
      none(url);
      return { kind: verb === 'show' ? 'webhook-show' : 'webhook-remove', email: email(target) };
    case undefined:
      throw new UsageError('missing webhook command (set, show or remove)');
    default:
      throw new UsageError(`unknown webhook command "${verb}"`);
  }
}

function parseWebhooks(given: Split, verb: string | undefined, extra: string | undefined): AdminCommand {
  none(extra);
  switch (verb) {
    case 'status':
      only(given, `webhooks ${verb}`, []);
      return { kind: 'webhooks-status' };
    case 'dead':
      only(given, `webhooks ${verb}`, ['max']);
      return { kind: 'webhooks-dead', max: given.max ?? DEAD_LIST_DEFAULT };
    case 'replay':
      only(given, `webhooks ${verb}`, ['max']);
      return { kind: 'webhooks-replay', ...(given.max === undefined ? {} : { max: given.max }) };
    case undefined:
      throw new UsageError('missing webhooks command (status, dead or replay)');
    default:
      throw new UsageError(`unknown webhooks command "${verb}"`);
  }
}

export function parseArgs(argv: string[]): AdminCommand {
  const given = split(argv);
  const { words } = given;
  if (given.help || (words.length === 1 && words[0] === 'help')) return { kind: 'help' };
  const [group, verb, target, fourth, ...extra] = words;
  if (group === undefined) throw new UsageError('missing command');
  if (group === 'stats') {
    if (verb !== undefined || given.token !== undefined || given.max !== undefined) throw new UsageError('stats takes no arguments');
    return { kind: 'stats' };
  }
  none(extra[0]);
  switch (group) {
    case 'account':
      none(fourth);
      return parseAccount(given, verb, target);
    case 'webhook':
      return parseWebhook(given, verb, target, fourth);
    case 'webhooks':
      none(fourth);
      return parseWebhooks(given, verb, target);
    default:
      throw new UsageError(`unknown command "${group}"`);
  }
}
