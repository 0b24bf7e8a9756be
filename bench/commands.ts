// npm run bench:commands: the Redis commands each kind of request costs. Starts its own redis-server and
// `node dist/server.js` on 127.0.0.1 (OTS_SERVER_SCRIPT names another build, to compare), sends N requests of each
// kind one after another, and reads what Redis saw: MONITOR tells the commands a client sent (each one a round trip)
// from those a script ran inside Redis, and INFO commandstats gives the totals per command. Bounded: seconds.
import { Redis } from 'ioredis';
import { freePort, RedisServer } from '../test/support/redis-server.js';
import { benchEnv, FORM, runBench, SECRET, startServer, type Server } from './harness.js';

const N = Number(process.env.BENCH_COMMANDS_REQUESTS ?? 500);
const SCRIPT = process.env.OTS_SERVER_SCRIPT ?? 'dist/server.js';
const ACCOUNT = { email: 'bench@example.com', token: 'bench-token-0123456789abcdefghijklmn' };
const BASIC = `Basic ${Buffer.from(`${ACCOUNT.email}:${ACCOUNT.token}`).toString('base64')}`;

interface Kind {
  name: string;
  /** Makes what one request needs (not counted). */
  prepare?: (s: Server) => Promise<string>;
  send: (s: Server, prepared: string) => Promise<Response>;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const shareV1 = (s: Server, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/v1/share`, { method: 'POST', headers: { ...FORM, ...headers }, body: form({ secret: SECRET }) });
const keysOf = async (res: Response) => (await res.json()) as { secret_key: string; metadata_key: string };
const concealV2 = (s: Server) =>
  fetch(`${s.url}/api/v2/secret/conceal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: { secret: SECRET } }) });

const KINDS: Kind[] = [
  { name: 'v1 POST /share (anonymous)', send: (s) => shareV1(s) },
  { name: 'v1 POST /share (an account)', send: (s) => shareV1(s, { authorization: BASIC }) },
  {
    name: 'v1 POST /secret/:key (reveal)',
    prepare: async (s) => (await keysOf(await shareV1(s))).secret_key,
    send: (s, key) => fetch(`${s.url}/api/v1/secret/${key}`, { method: 'POST' }),
  },
  {
    name: 'v1 GET /private/:key (receipt)',
    prepare: async (s) => (await keysOf(await shareV1(s))).metadata_key,
    send: (s, key) => fetch(`${s.url}/api/v1/private/${key}`),
  },
  { name: 'v2 POST /secret/conceal', send: (s) => concealV2(s) },
  {
    name: 'v2 GET /secret/:key (show)',
    prepare: async (s) => ((await (await concealV2(s)).json()) as { record: { secret: { key: string } } }).record.secret.key,
    send: (s, key) => fetch(`${s.url}/api/v2/secret/${key}`),
  },
  {
    name: 'v2 POST /secret/:key/reveal (continue)',
    prepare: async (s) => ((await (await concealV2(s)).json()) as { record: { secret: { key: string } } }).record.secret.key,
    send: (s, key) =>
      fetch(`${s.url}/api/v2/secret/${key}/reveal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"continue":true}' }),
  },
];

/** The commands this benchmark sends itself (as MONITOR and INFO commandstats name them): never counted. */
const OWN_COMMANDS = new Set(['CONFIG', 'CONFIG|RESETSTAT', 'INFO', 'ECHO', 'MONITOR']);

/** What MONITOR saw: a command, and whether a script ran it (its source is `lua`) or a client sent it. */
interface Seen {
  name: string;
  inScript: boolean;
}

/** Commands per request: those clients sent (a round trip each, unless sent together) and those scripts ran. */
function tally(seen: Seen[]): { sent: Map<string, number>; inScripts: Map<string, number> } {
  const sent = new Map<string, number>();
  const inScripts = new Map<string, number>();
  for (const { name, inScript } of seen) {
    if (OWN_COMMANDS.has(name)) continue;
    const into = inScript ? inScripts : sent;
    into.set(name, (into.get(name) ?? 0) + 1);
  }
  return { sent, inScripts };
}

/** Per request, most frequent first; a script's first load (EVAL once, then EVALSHA) rounds away. */
const perRequest = (counts: Map<string, number>) =>
  [...counts]
    .filter(([, n]) => n / N >= 0.005)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, n]) => `${name} ${+(n / N).toFixed(2)}`)
    .join(', ') || '–';
const total = (counts: Map<string, number>) => +([...counts.values()].reduce((a, b) => a + b, 0) / N).toFixed(2);

/** INFO commandstats as calls per command. */
async function commandstats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!.toUpperCase(), Number(m[2]));
  for (const ours of OWN_COMMANDS) calls.delete(ours);
  return calls;
}

async function main() {
  const redisServer = await RedisServer.start();
  const admin = new Redis(redisServer.url);
  const server = await startServer('ots-server', SCRIPT, { ...benchEnv(redisServer.url), OTS_ACCOUNTS: `${ACCOUNT.email}:${ACCOUNT.token}` }, await freePort());
  try {
    console.log(`Redis commands per request (${SCRIPT}, ${N} requests of each kind, single Redis)\n`);
    console.log('| request | commands sent | sent by the server | run inside scripts | INFO commandstats |');
    console.log('|---|---|---|---|---|');
    for (const kind of KINDS) {
      const prepared: string[] = [];
      for (let i = 0; i < N; i++) prepared.push(kind.prepare ? await kind.prepare(server) : '');
      const monitor = await admin.monitor();
      const seen: Seen[] = [];
      // An ECHO after the requests marks the end of what MONITOR owes us (its feed may trail the replies).
      let ended: () => void = () => {};
      const end = new Promise<void>((resolve) => (ended = resolve));
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        const name = String(args[0]).toUpperCase();
        if (name === 'ECHO') ended();
        else seen.push({ name, inScript: source === 'lua' });
      });
      await admin.config('RESETSTAT');
      for (const key of prepared) {
        const res = await kind.send(server, key);
        if (!res.ok) throw new Error(`${kind.name}: HTTP ${res.status}`);
        await res.arrayBuffer();
      }
      const stats = await commandstats(admin);
      await admin.echo('end');
      await end;
      monitor.disconnect();
      const { sent, inScripts } = tally(seen);
      console.log(`| ${kind.name} | ${total(sent)} | ${perRequest(sent)} | ${perRequest(inScripts)} | ${perRequest(stats)} |`);
    }
  } finally {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    admin.disconnect();
    await redisServer.stop();
  }
}

runBench('bench:commands', main);
