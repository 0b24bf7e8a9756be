// Admin command line: manage accounts and their API tokens, and account webhooks and their delivery queue, in the
// Redis store. See USAGE in args.ts. stdout carries only the answer (a token, a signing secret, a list) so scripts
// can capture it; everything else goes to stderr, never with a stack trace, a token or a signing secret.
import { Accounts } from '../auth/accounts.js';
import { ConfigError, loadConfig, usesRedis } from '../config.js';
import { createStore, describeStore } from '../store/index.js';
import type { RedisStore } from '../store/redis-store.js';
import { StoreUnavailableError, type Store } from '../domain/store.js';
import { whyRedisFails } from '../redis-diagnosis.js';
import { CommandFailed, parseArgs, usageFor, UsageError, USAGE, type AdminCommand } from './args.js';
import { collectStats, formatStats, MEMORY_MODE_STATS } from './stats.js';
import { isWebhookCommand, MEMORY_MODE_WEBHOOKS, runWebhookCommand, type WebhookCommand } from './webhooks.js';

const EXIT = { ok: 0, failed: 1, usage: 2, config: 78 } as const;

function say(stream: NodeJS.WriteStream, line: string): void {
  stream.write(`${line}\n`);
}

/** The ids a client may log in with instead of the email (stderr: stdout carries only the token). */
async function sayIds(accounts: Accounts, email: string): Promise<void> {
  const account = await accounts.get(email);
  if (account) say(process.stderr, `customer id ${account.customerId}\norganization id ${account.organizationId}`);
}

type AccountCommand = Exclude<AdminCommand, { kind: 'help' | 'stats' } | WebhookCommand>;

async function execute(command: AccountCommand, store: Store, accounts: Accounts): Promise<void> {
  switch (command.kind) {
    case 'create':
      if (await accounts.exists(command.email)) {
        throw new CommandFailed(`account ${command.email} already exists (use: account rotate ${command.email})`);
      }
      say(process.stdout, await accounts.create(command.email, command.token));
      await sayIds(accounts, command.email);
      return;
    case 'rotate':
      if (!(await accounts.exists(command.email))) throw new CommandFailed(`no account ${command.email}`);
      say(process.stdout, await accounts.create(command.email, command.token));
      return;
    case 'delete':
      if (!(await accounts.delete(command.email))) throw new CommandFailed(`no account ${command.email}`);
      say(process.stderr, `deleted ${command.email}`);
      // Its endpoint goes with it: an account created again under the same email starts without one.
      if (await store.webhooks.targets.remove(command.email)) say(process.stderr, `removed the webhook of ${command.email}`);
      return;
    case 'list': {
      const all = await accounts.list();
      for (const a of all) {
        say(process.stdout, `${a.email}\t${new Date(a.created * 1000).toISOString()}\t${a.customerId}\t${a.organizationId}`);
      }
      if (all.length === 0) say(process.stderr, '(no accounts)');
      return;
    }
  }
}

async function main(argv: string[]): Promise<number> {
  let command: AdminCommand;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // The form that applies, not the whole usage: the error line stays visible.
    say(process.stderr, `ots-admin: ${err.message}`);
    for (const form of usageFor(argv)) say(process.stderr, `Usage: npm run --silent admin -- ${form}`);
    say(process.stderr, 'All commands: npm run --silent admin -- --help');
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }

  let config;
  try {
    // Token hashes do not depend on the master key, so this tool runs without OTS_SECRET.
    config = loadConfig(process.env, { requireSecret: false });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    say(process.stderr, `ots-admin: configuration error\n${err.message}`);
    return EXIT.config;
  }
  if (command.kind === 'stats' && !usesRedis(config)) {
    say(process.stderr, MEMORY_MODE_STATS);
    return EXIT.config;
  }
  if (isWebhookCommand(command) && !usesRedis(config)) {
    say(process.stderr, MEMORY_MODE_WEBHOOKS);
    return EXIT.config;
  }
  if (!usesRedis(config)) {
    say(
      process.stderr,
      'ots-admin: no Redis is configured (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS). Accounts are stored in\n' +
        'Redis; the embedded memory store lives inside the server process, where the only accounts are those listed\n' +
        'in OTS_ACCOUNTS (email:token,email:token). Point this command at the server\'s Redis (same REDIS_PREFIX).',
    );
    return EXIT.config;
  }

  const store = await createStore(config);
  try {
    const accounts = new Accounts(store.accounts);
    if (command.kind === 'stats') process.stdout.write(formatStats(await collectStats((store as RedisStore).redis, config.redisPrefix)));
    else if (isWebhookCommand(command)) {
      await runWebhookCommand(command, store.webhooks, accounts, {
        out: (line) => say(process.stdout, line),
        note: (line) => say(process.stderr, line),
      });
    } else await execute(command, store, accounts);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommandFailed) say(process.stderr, `ots-admin: ${err.message}`);
    else if (err instanceof StoreUnavailableError) {
      const cause = await whyRedisFails(config);
      say(process.stderr, `ots-admin: cannot reach ${describeStore(config)}${cause ? `: ${cause}` : ''}`);
    } else say(process.stderr, `ots-admin: unexpected error (${(err as Error).name})`);
    return EXIT.failed;
  } finally {
    await store.close();
  }
}

/**
 * Exits once stdout and stderr are flushed (pipe writes are asynchronous on POSIX). Explicitly, because a client
 * that never reached Redis may hold a reconnect timer for seconds after close().
 */
function exitAfterFlush(code: number): void {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
  // Last resort: a name only, never a stack or a message that might echo input.
  say(process.stderr, `ots-admin: unexpected error (${(err as Error)?.name ?? 'unknown'})`);
  exitAfterFlush(EXIT.failed);
});
