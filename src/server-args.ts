// The arguments `node dist/server.js` (npm start) takes: none but --help. Every setting is an environment variable.
import { settings } from './config.js';

const EX_USAGE = 64;
const WIDTH = 100;

/** "NAME=default" (or the bare name) for every setting, wrapped to the terminal's usual width. */
function settingList(): string {
  const lines: string[] = [];
  let line = ' ';
  for (const s of Object.values(settings)) {
    const entry = s.default === undefined ? s.env : `${s.env}=${s.default}`;
    if (line.length + entry.length + 1 > WIDTH) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${entry}`;
  }
  return [...lines, line].join('\n');
}

export function serverUsage(): string {
  return `Usage: npm start   (or: node dist/server.js)

Starts ots-server, by default on http://127.0.0.1:7143 with the embedded in-memory store (secrets die with the
process); set REDIS_URL and OTS_SECRET to keep them in Redis. It takes no arguments: every setting is an
environment variable (or a line of a file read with node --env-file=.env). The settings, with their defaults:

${settingList()}

What each does: the configuration table in README.md (#configuration), and .env.example.
Logs, probes, metrics, accounts and shutdown: docs/operations.md. Deployment: docs/deployment.md.
`;
}

/** Returns when there is nothing to do but start; prints usage and exits 0 for --help, exits 64 for anything else. */
export function handleServerArgs(argv: string[]): void {
  const [first] = argv;
  if (first === undefined) return;
  if (argv.length === 1 && (first === '--help' || first === '-h')) {
    process.stdout.write(serverUsage());
    process.exit(0);
  }
  const bad = argv.find((arg) => arg !== '--help' && arg !== '-h') ?? first;
  process.stderr.write(
    `ots-server: unexpected argument "${bad}": the server takes no arguments, only environment variables\n` +
      'See: npm start -- --help\n',
  );
  process.exit(EX_USAGE);
}
