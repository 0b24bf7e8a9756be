#!/usr/bin/env node
// The `ots-server` command, for test suites in any language: starts the server, prints the URL it listens on as
// the first (and only) line of stdout, logs to stderr, and exits 0 on SIGTERM or SIGINT once it has stopped.
import { parseArgs } from 'node:util';
import { ConfigError, startServer, type RunningServer } from '../index.js';
import { loadConfig } from '../config.js';

const USAGE = `Usage: ots-server [options]

Starts an Onetime Secret compatible server (REST API v1, v2 and v3 guest routes, web pages) and prints its URL
(e.g. http://127.0.0.1:41234) on stdout. Stop it with SIGTERM or SIGINT (Ctrl-C).

Options (each also readable from the environment variable shown; the option wins):
  --port N               PORT          TCP port; 0 (default) picks a free one
  --host ADDR            HOST          address to listen on (default 127.0.0.1)
  --account EMAIL:TOKEN  OTS_ACCOUNTS  an account (repeatable; added to OTS_ACCOUNTS); the token any printable
                                       ASCII without spaces, 32 to 256 characters with --redis-url
  --redis-url URL        REDIS_URL     use Redis (needs OTS_SECRET) instead of the in-memory store
  --public-url URL       OTS_PUBLIC_URL  public base URL, may end in a path (default: the URL printed)
  --log-level LEVEL      LOG_LEVEL     logs on stderr: fatal, error, warn (default), info, debug, trace, silent
                         LOG_FORMAT    json or pretty (default: pretty when stderr is a terminal)
  --control                            the test double's control API under /__ots/ (memory store only)
  -h, --help             this text

Every other setting (TTL_MAX, ALLOW_ANONYMOUS, ...) is read from the environment: the "Configuration" table of
the README (node_modules/ots-server/README.md) lists them all.`;

const EX_USAGE = 64;
const EX_CONFIG = 78;
const ORPHAN_CHECK_MS = 250;

function fail(code: number, message: string): never {
  process.stderr.write(`ots-server: ${message}\n`);
  process.exit(code);
}

/** The environment startServer reads: the process environment with the command-line options laid over it. */
function envFromArgs(argv: string[]): { env: Record<string, string | undefined>; control: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        account: { type: 'string', multiple: true },
        'redis-url': { type: 'string' },
        'public-url': { type: 'string' },
        'log-level': { type: 'string' },
        control: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    fail(EX_USAGE, `${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn', ...process.env };
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) env[name] = value;
  };
  set('PORT', values.port);
  set('HOST', values.host);
  set('REDIS_URL', values['redis-url']);
  set('OTS_PUBLIC_URL', values['public-url']);
  set('LOG_LEVEL', values['log-level']);
  if (values.account?.length) env.OTS_ACCOUNTS = [env.OTS_ACCOUNTS, ...values.account].filter(Boolean).join(',');
  // A flag only, never an environment variable: a control API is asked for by the command line that starts it.
  return { env, control: values.control ?? false };
}

async function main(): Promise<void> {
  const { env, control } = envFromArgs(process.argv.slice(2));
  let server: RunningServer;
  try {
    server = await startServer({ env, control });
  } catch (err) {
    if (err instanceof ConfigError) fail(EX_CONFIG, `configuration error\n${err.message}`);
    throw err;
  }
  process.stdout.write(`${server.url}\n`);
  // Same bound as the server's own shutdown (SHUTDOWN_TIMEOUT); the config was already validated by startServer.
  const shutdownTimeoutMs = loadConfig(env).shutdownTimeout * 1000;

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => fail(1, 'shutdown took too long'), shutdownTimeoutMs).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => fail(1, `error during shutdown: ${(err as Error).message}`),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // `npx ots-server` runs this under npm and a shell; a signal sent to npx kills that shell but never reaches us.
  // So we also stop once orphaned (the parent we started under is gone) instead of outliving the test run.
  const parent = process.ppid; // a snapshot taken at startup, so we probe that process instead
  if (parent > 1) setInterval(() => !isAlive(parent) && stop(), ORPHAN_CHECK_MS).unref();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

main().catch((err: unknown) => fail(1, `failed to start: ${(err as Error).message}`));
