// Pieces every benchmark here shares: starting a server as a child process, driving it with autocannon, and
// reading what a phase cost (req/s, latency, the server's CPU per request). All traffic goes to 127.0.0.1.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import autocannon, { type Result } from 'autocannon';
import { RUNTIME_ENV } from './runtime-env.js';

export const CONNECTIONS = 32;
export const SECRET = 's'.repeat(200);
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

export function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  port: number,
  stdout: 'ignore' | 'pipe' = 'ignore',
): Promise<Server> {
  const child = fork(script, [], {
    execArgv: script.endsWith('.ts') ? ['--import', 'tsx'] : [],
    env: { ...process.env, ...RUNTIME_ENV, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  return new Promise<Server>((resolve, reject) => {
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
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
}

/** Stops child processes: SIGTERM, then SIGKILL for any still running after `graceMs`. */
export async function stopChildren(children: ChildProcess[], graceMs = 5_000): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      return new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }),
  );
}

export function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

/**
 * autocannon ends a fixed-count run on its one-second tick, so its own duration is coarse: throughput is counted
 * over the span from the first to the last response instead.
 */
export type Timed = Result & { elapsedSeconds: number };

export function run(opts: autocannon.Options): Promise<Timed> {
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

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server process's CPU time (all threads) per request: steadier than req/s on a shared machine. */
  cpuUs: number;
}

/**
 * CPU time a process and its child processes (WORKERS) have used so far, in ms, on Linux: the nanosecond counts
 * of their threads (/proc/…/schedstat), else clock ticks of 10 ms (too coarse for a difference of a few µs per
 * request); 0 elsewhere.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // the process is gone
  }
  const children = tasks.flatMap((t) => {
    try {
      return readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return ownCpuMs(pid, tasks) + children.reduce((ms, child) => ms + cpuMs(child), 0);
}

function ownCpuMs(pid: number, tasks: string[]): number {
  try {
    return tasks.reduce((ms, t) => ms + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1e6, 0);
  } catch {
    // schedstat missing (kernel without it) or the process gone: the coarser count below
  }
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Runs one autocannon phase against `s` and reports it, with the server's CPU per request over the phase. */
export async function phase(s: Server, opts: autocannon.Options): Promise<Figures & { result: Timed }> {
  const before = cpuMs(s.child.pid);
  const r = await run(opts);
  const cpuUs = ((cpuMs(s.child.pid) - before) * 1000) / Math.max(1, r.requests.total);
  // Total over the measured time: per-second averages are coarse for runs of a few seconds.
  const rps = r.requests.total / r.elapsedSeconds;
  return { rps, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, cpuUs, result: r };
}

/**
 * BENCH_CLIENTS=many sends the requests from CONNECTIONS clients in turn (X-Forwarded-For, from a server that
 * trusts 127.0.0.1), so the requests in flight at once are mostly from different clients, as ordinary traffic is;
 * by default every request is from one client, as a flood is.
 */
const MANY_CLIENTS = process.env.BENCH_CLIENTS === 'many';
let requestsSent = 0;

type Setup = (req: autocannon.Request, context: object) => autocannon.Request;

function asClient(setup: Setup = (req) => req): Setup {
  if (!MANY_CLIENTS) return setup;
  return (req, context) => {
    const r = setup(req, context);
    return { ...r, headers: { ...r.headers, 'x-forwarded-for': `10.0.0.${requestsSent++ % CONNECTIONS}` } };
  };
}

/** `amount` creates of a 200-byte secret; collects each answer's secret and metadata keys. */
export async function createPhase(s: Server, amount: number) {
  const created: { secret: string; metadata: string }[] = [];
  const create = await phase(s, {
    url: `${s.url}/api/v1/share`,
    amount,
    requests: [
      {
        method: 'POST',
        headers: FORM,
        body: `secret=${SECRET}&ttl=3600`,
        setupRequest: asClient(),
        onResponse: (status, body) => {
          if (status !== 200) return;
          const r = JSON.parse(body) as { secret_key: string; metadata_key?: string };
          created.push({ secret: r.secret_key, metadata: r.metadata_key ?? r.secret_key });
        },
      },
    ],
  });
  if (created.length === 0) throw new Error(`${s.name}: no create succeeded (${create.result.non2xx} non-2xx answers)`);
  return { create, created };
}

/** Reveals each of `created` exactly once. */
export function revealPhase(s: Server, created: { secret: string }[]) {
  let next = 0;
  return phase(s, {
    url: s.url,
    amount: created.length,
    requests: [{ method: 'POST', setupRequest: asClient((req) => ({ ...req, path: `/api/v1/secret/${created[next++]!.secret}` })) }],
  });
}

export const figures = ({ result: _result, ...f }: Figures & { result: Timed }): Figures => f;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The median over rounds of ours ÷ baseline in the same round (req/s unless `of` names another figure): the two
 * run back to back, so a round's ratio is taken under the same load from the machine's other tenants, which moves
 * both throughputs by ±30% over minutes.
 */
export function pairedRatio(ours: Figures[], baseline: Figures[], of: 'rps' | 'p99' | 'cpuUs' = 'rps'): number {
  return Math.round(median(ours.map((o, i) => o[of] / baseline[i]![of])) * 100) / 100;
}

export function summarise(rounds: Figures[]): Figures {
  return {
    rps: Math.round(median(rounds.map((r) => r.rps))),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    cpuUs: Math.round(median(rounds.map((r) => r.cpuUs))),
  };
}

/**
 * What every server under test gets: Redis, a master key, and production's log level (the output goes nowhere).
 * The benchmark is one client on loopback: per-client budgets are raised so they do not cap the figures, but the
 * limiter stays on (its count, in the create and claim scripts, is part of what a production request costs).
 */
export function benchEnv(redisUrl: string): Record<string, string> {
  const huge = '1000000000';
  return {
    REDIS_URL: redisUrl,
    OTS_SECRET: 'b'.repeat(16) + '0123456789abcdef0123456789abcdef0123456789abcdef',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    RATE_LIMIT_CREATE: huge,
    RATE_LIMIT_REVEAL: huge,
    RATE_LIMIT_RECEIPT: huge,
    RATE_LIMIT_BURN: huge,
    ...(MANY_CLIENTS ? { TRUST_PROXY: '127.0.0.1' } : {}),
  };
}

/** Writes a run's figures to bench/results/<file> (kept out of git). */
export function saveResults(file: string, data: object): void {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${file}`, JSON.stringify({ when: new Date().toISOString(), ...data }, null, 2));
}

/** Runs a benchmark's main; on failure prints the stack and exits non-zero. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().catch((err) => {
    process.stderr.write(`${name} failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
