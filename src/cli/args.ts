// Command-line parsing for the admin tool: argv in, one validated command out (or a UsageError).
import { CHOSEN_TOKEN_RULE, isStrongToken } from '../crypto/tokens.js';

export type AdminCommand =
  | { kind: 'help' }
  | { kind: 'create'; email: string; token?: string }
  | { kind: 'list' }
  | { kind: 'rotate'; email: string; token?: string }
  | { kind: 'delete'; email: string }
  | { kind: 'stats' };

export class UsageError extends Error {}

export const USAGE = `Usage: npm run --silent admin -- <command>

Commands:
  account create <email> [--token <token>]   create an account; prints only its API token (its ids on stderr)
  account list                               one line per account, tab-separated: email, creation date (ISO 8601),
                                             customer id (ur…), organization id (on…)
  account rotate <email> [--token <token>]   replace the account's token; prints only the new token
  account delete <email>                     delete the account
  stats                                      live secrets and receipts, and receipts by state (tab-separated)
  --help                                     this text

Without --token a random 64-hex-character token is made; a --token must be ${CHOSEN_TOKEN_RULE}.
Tokens are shown once and stored only as hashes.
The accounts live in the Redis given by REDIS_URL (keys prefixed with REDIS_PREFIX); OTS_SECRET is not needed.
Accounts listed in OTS_ACCOUNTS are re-created each time the server starts.
An API client may log in with the email, the customer id or the organization id; the ids survive token rotation.
stats scans the same Redis (SCAN, never KEYS). States are as stored: a new or viewed receipt whose secret expired
unread counts as new or viewed until someone looks at it.

Exit status: 0 done, 1 failed (unknown or existing account, Redis unreachable), 2 usage error, 78 configuration error.
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

/** Splits argv into positional words and a --token value (`--token x` or `--token=x`); --help wins over everything. */
function split(argv: string[]): { words: string[]; token?: string; help: boolean } {
  const words: string[] = [];
  let tokenValue: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--token' || arg.startsWith('--token=')) {
      if (tokenValue !== undefined) throw new UsageError('--token given twice');
      const value = arg === '--token' ? argv[++i] : arg.slice('--token='.length);
      if (value === undefined) throw new UsageError('--token needs a value');
      tokenValue = token(value);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg.split('=')[0]}`);
    else words.push(arg);
  }
  return { words, token: tokenValue, help };
}

export function parseArgs(argv: string[]): AdminCommand {
  const { words, token: tokenValue, help } = split(argv);
  if (help || (words.length === 1 && words[0] === 'help')) return { kind: 'help' };
  const [group, verb, target, ...extra] = words;
  if (group === undefined) throw new UsageError('missing command');
  if (group === 'stats') {
    if (verb !== undefined || tokenValue !== undefined) throw new UsageError('stats takes no arguments');
    return { kind: 'stats' };
  }
  if (group !== 'account') throw new UsageError(`unknown command "${group}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const noToken = (kind: string) => {
    if (tokenValue !== undefined) throw new UsageError(`account ${kind} takes no --token`);
  };
  switch (verb) {
    case 'create':
    case 'rotate':
      return { kind: verb, email: email(target), ...(tokenValue === undefined ? {} : { token: tokenValue }) };
    case 'delete':
      noToken(verb);
      return { kind: 'delete', email: email(target) };
    case 'list':
      noToken(verb);
      if (target !== undefined) throw new UsageError(`unexpected argument "${target}"`);
      return { kind: 'list' };
    case undefined:
      throw new UsageError('missing account command (create, list, rotate or delete)');
    default:
      throw new UsageError(`unknown account command "${verb}"`);
  }
}
