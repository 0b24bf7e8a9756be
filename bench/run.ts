// npm run bench: ots-server against the bare Fastify + Redis floor (bench/baseline-server.ts), all on 127.0.0.1.
// Starts its own redis-server, both servers as child processes, and drives them with autocannon in alternating
// rounds after a warm-up. Prints a table and writes bench/results/latest.json. Bounded: a few minutes at most.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import autocannon, { type Result } from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, RedisServer } from '../test/support/redis-server.js';
import { RUNTIME_ENV } from './runtime-env.js';

const CONNECTIONS = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const AMOUNT = Number(process.env.BENCH_AMOUNT ?? 15_000); // creates (then reveals) per round
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4); // receipt and passphrase phases
const MEMORY_SECRETS = 20_000;
const SECRET = 's'.repeat(200);
const PASSPHRASE = 'correct horse battery staple';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

interface Server {
  name: 'ots-server' | 'baseline';
  url: string;
  child: ChildProcess;
}

function startServer(name: Server['name'], script: string, env: Record<string, string>, port: number): Promise<Server> {
  const child = fork(script, [], {
    execArgv: script.endsWith('.ts') ? ['--import', 'tsx'] : [],
    env: { ...process.env, ...RUNTIME_ENV, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 20_000;
    const poll = async () => {
      try {
        await fetch(`${url}/api/v1/secret/warmup`, { method: 'POST' });
        resolve({ name, url, child });
      } catch {
        if (Date.now() > deadline) reject(new Error(`${name} did not start`));
        else setTimeout(poll, 100);
      }
    };
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    void poll();
  });
}

function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

/**
 * autocannon ends a fixed-count run on its one-second tick, so its own duration is coarse: throughput is counted
 * over the span from the first to the last response instead.
 */
type Timed = Result & { elapsedSeconds: number };

function run(opts: autocannon.Options): Promise<Timed> {
  let first = 0;
  let last = 0;
  const stamp = () => {
    last = performance.now();
    if (first === 0) first = last;
  };
  type OnResponse = (status: number, body: string, context: object, headers: autocannon.Request['headers']) => void;
  const requests = (opts.requests ?? [{}]).map((r): autocannon.Request => {
    const inner = r.onResponse as OnResponse | undefined;
    return {
      ...r,
      onResponse: (status, body, context, headers) => {
        stamp();
        inner?.(status, body, context, headers);
      },
    };
  });
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts, requests }, (err, result) =>
      err ? reject(err) : resolve({ ...result, elapsedSeconds: (last - first) / 1000 }),
    );
  });
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server process's CPU time (all threads) per request: steadier than req/s on a shared machine. */
  cpuUs: number;
}

/** CPU time a process has used so far, in ms (Linux /proc; clock ticks of 10 ms); 0 elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Runs one autocannon phase against `s` and reports it, with the server's CPU per request over the phase. */
async function phase(s: Server, opts: autocannon.Options): Promise<Figures & { result: Timed }> {
  const before = cpuMs(s.child.pid);
  const r = await run(opts);
  const cpuUs = ((cpuMs(s.child.pid) - before) * 1000) / Math.max(1, r.requests.total);
  // Total over the measured time: per-second averages are coarse for runs of a few seconds.
  const rps = r.requests.total / r.elapsedSeconds;
  return { rps, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, cpuUs, result: r };
}

const figures = ({ result: _result, ...f }: Figures & { result: Timed }): Figures => f;

/** create (collecting keys), receipt view (cycling those keys), then reveal each key exactly once. */
async function basicRound(s: Server, amount: number) {
  const created: { secret: string; metadata: string }[] = [];
  const create = await phase(s, {
    url: `${s.url}/api/v1/share`,
    amount,
    requests: [
      {
        method: 'POST',
        headers: FORM,
        body: `secret=${SECRET}&ttl=3600`,
        onResponse: (status, body) => {
          if (status !== 200) return;
          const r = JSON.parse(body) as { secret_key: string; metadata_key?: string };
          created.push({ secret: r.secret_key, metadata: r.metadata_key ?? r.secret_key });
        },
      },
    ],
  });
  if (created.length === 0) throw new Error(`${s.name}: no create succeeded (${create.result.non2xx} non-2xx answers)`);
  let next = 0;
  const receipt = await phase(s, {
    url: s.url,
    duration: SECONDS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/api/v1/private/${created[next++ % created.length]!.metadata}` }),
      },
    ],
  });
  let revealNext = 0;
  const reveal = await phase(s, {
    url: s.url,
    amount: created.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({ ...req, path: `/api/v1/secret/${created[revealNext++]!.secret}` }),
      },
    ],
  });
  return { create: figures(create), receipt: figures(receipt), reveal: figures(reveal) };
}

/** Each virtual request: share with a passphrase, then reveal it with the passphrase. */
async function passphraseRound(s: Server) {
  const result = await phase(s, {
    url: s.url,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/share',
        headers: FORM,
        body: `secret=${SECRET}&ttl=3600&passphrase=${encodeURIComponent(PASSPHRASE)}`,
        onResponse: (_status, body, context) => {
          (context as { key?: string }).key = (JSON.parse(body) as { secret_key: string }).secret_key;
        },
      },
      {
        method: 'POST',
        headers: FORM,
        setupRequest: (req, context) => ({
          ...req,
          path: `/api/v1/secret/${(context as { key?: string }).key}`,
          body: `passphrase=${encodeURIComponent(PASSPHRASE)}`,
        }),
      },
    ],
  });
  await drained(s);
  return figures(result);
}

/**
 * autocannon ends a timed run without waiting for the requests in flight, and passphrase requests each hold
 * ~1 s of scrypt work: left alone, that backlog would run during the next phase, which is the other server's in
 * every other round. One more passphrase create, queued behind the backlog (the scrypt limiter is first come,
 * first served), answers once it is done.
 */
async function drained(s: Server): Promise<void> {
  const res = await fetch(`${s.url}/api/v1/share`, {
    method: 'POST',
    headers: FORM,
    body: `secret=drain&passphrase=${encodeURIComponent(PASSPHRASE)}`,
  });
  await res.arrayBuffer();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The median over rounds of ours ÷ baseline in the same round: the two run back to back, so a round's ratio is
 * taken under the same load from the machine's other tenants, which moves both throughputs by ±30% over minutes.
 */
function pairedRatio(ours: Figures[], baseline: Figures[]): number {
  return Math.round(median(ours.map((o, i) => o.rps / baseline[i]!.rps)) * 100) / 100;
}

function summarise(rounds: Figures[]): Figures {
  return {
    rps: Math.round(median(rounds.map((r) => r.rps))),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    cpuUs: Math.round(median(rounds.map((r) => r.cpuUs))),
  };
}

async function redisBytesPerSecret(redisUrl: string, s: Server): Promise<number> {
  const redis = new Redis(redisUrl);
  await redis.flushall();
  const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const r = await run({
    url: `${s.url}/api/v1/share`,
    amount: MEMORY_SECRETS,
    requests: [{ method: 'POST', headers: FORM, body: `secret=${SECRET}&ttl=3600` }],
  });
  const keys = await redis.dbsize();
  const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  await redis.quit();
  if (r.non2xx > 0 || r.errors > 0) throw new Error('memory phase had errors');
  process.stdout.write(`memory phase: ${MEMORY_SECRETS} secrets, ${keys} keys in Redis\n`);
  return Math.round((after - before) / MEMORY_SECRETS);
}

async function main() {
  const started = Date.now();
  const redis = await RedisServer.start();
  const env = {
    REDIS_URL: redis.url,
    OTS_SECRET: 'b'.repeat(16) + '0123456789abcdef0123456789abcdef0123456789abcdef',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', // as in production; the output goes nowhere
    ...benchRateLimits(),
  };
  const ours = await startServer('ots-server', 'bench/instrumented-server.mjs', env, await freePort());
  const base = await startServer('baseline', 'bench/baseline-server.ts', env, await freePort());
  const servers = [ours, base];
  try {
    process.stdout.write(`warm-up…\n`);
    for (const s of servers) {
      await basicRound(s, 3_000);
      await passphraseRound(s);
    }
    ours.child.send('reset');

    const results: Record<string, { create: Figures[]; receipt: Figures[]; reveal: Figures[]; passphrase: Figures[] }> = {
      'ots-server': { create: [], receipt: [], reveal: [], passphrase: [] },
      baseline: { create: [], receipt: [], reveal: [], passphrase: [] },
    };
    let eventLoopP99Ms = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of round % 2 ? servers : [...servers].reverse()) {
        process.stdout.write(`round ${round}/${ROUNDS}: ${s.name}\n`);
        const b = await basicRound(s, AMOUNT);
        results[s.name]!.create.push(b.create);
        results[s.name]!.receipt.push(b.receipt);
        results[s.name]!.reveal.push(b.reveal);
        if (s === ours) ours.child.send('reset');
        results[s.name]!.passphrase.push(await passphraseRound(s));
        if (s === ours) {
          const st = await ask<{ eventLoopP99Ms: number }>(ours.child, 'stats');
          eventLoopP99Ms = Math.max(eventLoopP99Ms, st.eventLoopP99Ms);
        }
      }
    }
    const stats = await ask<{ rssPeakMb: number }>(ours.child, 'stats');
    const bytesPerSecret = await redisBytesPerSecret(redis.url, ours);

    const table = (['create', 'reveal', 'receipt', 'passphrase'] as const).map((w) => {
      const o = summarise(results['ots-server']![w]);
      const b = summarise(results.baseline![w]);
      return { workload: w, ours: o, baseline: b, ratio: w === 'passphrase' ? null : pairedRatio(results['ots-server']![w], results.baseline![w]) };
    });
    const byName = Object.fromEntries(table.map((t) => [t.workload, t]));
    const targets = {
      'create ≥ 0.8 × baseline, 0 errors': byName.create!.ratio! >= 0.8 && byName.create!.ours.errors === 0,
      'reveal ≥ 0.8 × baseline, 0 errors': byName.reveal!.ratio! >= 0.8 && byName.reveal!.ours.errors === 0,
      'p99 < 10 ms (create, reveal, receipt)': ['create', 'reveal', 'receipt'].every((w) => byName[w]!.ours.p99 < 10),
      'event-loop delay p99 < 20 ms during passphrase load': eventLoopP99Ms < 20,
      'server RSS < 150 MB': stats.rssPeakMb < 150,
      'Redis memory < 700 B per secret + receipt': bytesPerSecret < 700,
    };

    const lines = [
      `ots-server benchmark — ${CONNECTIONS} connections, 200-byte secrets, ${ROUNDS} alternating rounds (medians; ratio: median of per-round ratios)`,
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
      '',
      '| workload | ots-server req/s | p50 ms | p99 ms | errors | CPU µs/req | baseline req/s | p50 ms | p99 ms | CPU µs/req | ratio |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...table.map((t) => {
        const b = t.workload === 'passphrase' ? { rps: '–', p50: '–', p99: '–', cpuUs: '–' } : t.baseline;
        return `| ${t.workload} | ${t.ours.rps} | ${t.ours.p50} | ${t.ours.p99} | ${t.ours.errors} | ${t.ours.cpuUs} | ${b.rps} | ${b.p50} | ${b.p99} | ${b.cpuUs} | ${t.ratio ?? '–'} |`;
      }),
      '',
      `event-loop delay p99 during passphrase load: ${eventLoopP99Ms.toFixed(1)} ms`,
      `server RSS peak: ${stats.rssPeakMb.toFixed(0)} MB`,
      `Redis memory per stored secret (receipt included): ${bytesPerSecret} bytes (${MEMORY_SECRETS} secrets)`,
      '',
      ...Object.entries(targets).map(([name, ok]) => `${ok ? 'PASS' : 'FAIL'}  ${name}`),
      `took ${Math.round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/latest.json',
      JSON.stringify(
        { when: new Date().toISOString(), connections: CONNECTIONS, rounds: ROUNDS, table, perRound: results, eventLoopP99Ms, rssPeakMb: stats.rssPeakMb, bytesPerSecret, targets },
        null,
        2,
      ),
    );
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await redis.destroy();
  }
}

/**
 * The benchmark is one client on loopback: per-client budgets are raised so they do not cap the figures, but the
 * limiter stays on (its counter round trip is part of what a production request costs).
 */
function benchRateLimits(): Record<string, string> {
  const huge = '1000000000';
  return { RATE_LIMIT_CREATE: huge, RATE_LIMIT_REVEAL: huge, RATE_LIMIT_RECEIPT: huge, RATE_LIMIT_BURN: huge };
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
