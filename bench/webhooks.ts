// npm run bench:webhooks: issue 25's bounded load run, create and reveal with webhooks on versus off, as ratios in
// one run. Starts one redis-server, a webhook receiver (bench/webhook-receiver.mjs) and two `node dist/server.js`
// on 127.0.0.1: "off" (no WEBHOOK_URL) and "on" (WEBHOOK_URL to the receiver, every event). Alternating rounds after
// a warm-up: N creates, then a reveal of each; for "on", then waits until the receiver has every event (created and
// revealed: 2 per secret). Prints a table and writes bench/results/webhooks-latest.json. Bounded: a few minutes.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { freePort, RedisServer } from '../test/support/redis-server.js';
import {
  ask,
  benchEnv,
  CONNECTIONS,
  cpuMs,
  createPhase,
  figures,
  median,
  pairedRatio,
  revealPhase,
  runBench,
  saveResults,
  startServer,
  stopChildren,
  summarise,
  type Figures,
  type Server,
} from './harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const AMOUNT = Number(process.env.BENCH_AMOUNT ?? 5_000); // creates (then reveals) per round
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT ?? 60) * 1000;
const SCRIPT = process.env.OTS_SERVER_SCRIPT ?? 'dist/server.js';

interface ReceiverStats {
  posts: number;
  distinct: number;
  byType: Record<string, number>;
}

function startReceiver(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork('bench/webhook-receiver.mjs', [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ url: `http://127.0.0.1:${(m as { port: number }).port}/hook`, child }));
    child.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
  });
}

/** What the receiver got of one round's events, and how long after the load it took. */
interface Delivery {
  expected: number;
  /** Distinct `webhook-id`s received since the round began. */
  received: number;
  /** Of those, received before the last reveal was answered. */
  duringLoad: number;
  /** Posts of an id already received (at-least-once delivery). */
  duplicates: number;
  /** From the last reveal's answer to the receiver holding every expected event; null when it never did. */
  drainMs: number | null;
}

/** Polls the receiver until it holds `distinct` ids or the drain timeout passes. */
async function drained(receiver: ChildProcess, distinct: number): Promise<{ stats: ReceiverStats; ok: boolean }> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const stats = await ask<ReceiverStats>(receiver, 'stats');
    if (stats.distinct >= distinct) return { stats, ok: true };
    if (Date.now() > deadline) return { stats, ok: false };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * N creates, then a reveal of each; with a receiver, then the wait for its events. The server's CPU is counted from
 * the first create to the last event delivered: what a secret costs with its deliveries.
 */
async function round(s: Server, amount: number, receiver?: ChildProcess) {
  const before = receiver && (await ask<ReceiverStats>(receiver, 'stats'));
  const cpuBefore = cpuMs(s.child.pid);
  const { create, created } = await createPhase(s, amount);
  const reveal = await revealPhase(s, created);
  const loadEnd = performance.now();
  let delivery: Delivery | undefined;
  if (receiver && before) {
    const expected = created.length + reveal.result['2xx'];
    const atLoadEnd = await ask<ReceiverStats>(receiver, 'stats');
    const { stats, ok } = await drained(receiver, before.distinct + expected);
    delivery = {
      expected,
      received: stats.distinct - before.distinct,
      duringLoad: atLoadEnd.distinct - before.distinct,
      duplicates: stats.posts - before.posts - (stats.distinct - before.distinct),
      drainMs: ok ? Math.round(performance.now() - loadEnd) : null,
    };
  }
  const cpuUsPerSecret = ((cpuMs(s.child.pid) - cpuBefore) * 1000) / created.length;
  return { create: figures(create), reveal: figures(reveal), cpuUsPerSecret, delivery };
}

const WORKLOADS = ['create', 'reveal'] as const;

async function main() {
  const started = Date.now();
  const children: ChildProcess[] = [];
  const redis = await RedisServer.start();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopChildren(children).then(() => redis.destroy()));
  // Stopped from outside (Ctrl-C, a timeout): the servers, the receiver and Redis go too.
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const receiver = await startReceiver();
    children.push(receiver.child);
    const env = benchEnv(redis.url);
    // Each on its own key prefix: every process runs a delivery worker, and one without WEBHOOK_URL must not take
    // the other's entries from a shared queue.
    const off = await startServer('off', SCRIPT, { ...env, REDIS_PREFIX: 'bench-off:', WEBHOOK_URL: '', WEBHOOK_SECRET: '' }, await freePort());
    children.push(off.child);
    const webhooks = {
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      WEBHOOK_EVENTS: 'secret.created,secret.revealed,secret.burned,secret.expired,incoming.received',
    };
    const on = await startServer('on', SCRIPT, { ...env, REDIS_PREFIX: 'bench-on:', ...webhooks }, await freePort());
    children.push(on.child);
    const receiverOf = (s: Server) => (s === on ? receiver.child : undefined);

    process.stdout.write('warm-up…\n');
    for (const s of [off, on]) await round(s, Math.min(AMOUNT, 2_000), receiverOf(s));
    const warmedUp = await ask<ReceiverStats>(receiver.child, 'stats');

    const rounds = () => ({ create: [] as Figures[], reveal: [] as Figures[], cpuUsPerSecret: [] as number[] });
    const results = { off: rounds(), on: rounds() };
    const deliveries: Delivery[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      for (const s of r % 2 ? [off, on] : [on, off]) {
        process.stdout.write(`round ${r}/${ROUNDS}: webhooks ${s.name}\n`);
        const x = await round(s, AMOUNT, receiverOf(s));
        const into = s === on ? results.on : results.off;
        into.create.push(x.create);
        into.reveal.push(x.reveal);
        into.cpuUsPerSecret.push(x.cpuUsPerSecret);
        if (x.delivery) deliveries.push(x.delivery);
      }
      saveResults('webhooks-partial.json', { rounds: r, amount: AMOUNT, perRound: results, deliveries });
    }
    const final = await ask<ReceiverStats>(receiver.child, 'stats');

    const table = WORKLOADS.map((w) => ({
      workload: w,
      off: summarise(results.off[w]),
      on: summarise(results.on[w]),
      rpsRatio: pairedRatio(results.on[w], results.off[w]),
      p99Ratio: pairedRatio(results.on[w], results.off[w], 'p99'),
      cpuRatio: pairedRatio(results.on[w], results.off[w], 'cpuUs'),
      perRound: results.on[w].map((o, i) => Math.round((o.rps / results.off[w][i]!.rps) * 100) / 100),
    }));
    const cpuPerSecret = {
      off: Math.round(median(results.off.cpuUsPerSecret)),
      on: Math.round(median(results.on.cpuUsPerSecret)),
      ratio: Math.round(median(results.on.cpuUsPerSecret.map((o, i) => o / results.off.cpuUsPerSecret[i]!)) * 100) / 100,
    };
    const sum = (f: (d: Delivery) => number) => deliveries.reduce((n, d) => n + f(d), 0);
    const drains = deliveries.map((d) => d.drainMs);
    const allDrained = drains.every((d) => d !== null);
    const events = {
      expected: sum((d) => d.expected),
      received: final.distinct - warmedUp.distinct,
      duplicates: final.posts - final.distinct,
      duringLoadShare: Math.round(median(deliveries.map((d) => d.duringLoad / d.expected)) * 100),
      drainMs: allDrained ? median(drains) : null,
      drainMaxMs: allDrained ? Math.max(...drains) : null,
      /** Events per second delivered from the load's end to the drain. */
      drainRate: allDrained ? Math.round(median(deliveries.map((d) => ((d.expected - d.duringLoad) * 1000) / Math.max(1, d.drainMs!)))) : null,
      byType: final.byType,
    };
    const lines = [
      `webhooks on versus off — ${AMOUNT} creates then reveals per round, ${CONNECTIONS} connections, 200-byte secrets, ${ROUNDS} alternating rounds`,
      `(medians; ratios: on ÷ off, the median of per-round ratios); WEBHOOK_CONCURRENCY ${process.env.WEBHOOK_CONCURRENCY ?? 'default'}`,
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      '',
      '| workload | off req/s | p99 ms | CPU µs/req | errors | on req/s | p99 ms | CPU µs/req | errors | req/s on÷off | p99 on÷off | CPU on÷off | req/s ratio per round |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...table.map(
        (t) =>
          `| ${t.workload} | ${t.off.rps} | ${t.off.p99} | ${t.off.cpuUs} | ${t.off.errors} | ${t.on.rps} | ${t.on.p99} | ${t.on.cpuUs} | ${t.on.errors} | **${t.rpsRatio}** | ${t.p99Ratio} | ${t.cpuRatio} | ${t.perRound.join(' ')} |`,
      ),
      '',
      `server CPU per secret (its create and reveal; for "on" also its deliveries until the receiver had them): off ${cpuPerSecret.off} µs, on ${cpuPerSecret.on} µs, on÷off ${cpuPerSecret.ratio}`,
      `events (on): ${events.received} of ${events.expected} expected received (distinct webhook-id), ${events.duplicates} duplicate posts; by type: ${Object.entries(events.byType).map(([t, n]) => `${t} ${n}`).join(', ')} (warm-up included)`,
      `delivered before the load ended: ${events.duringLoadShare}% (median over rounds); queue drained ${events.drainMs === null ? `NOT within ${DRAIN_TIMEOUT_MS / 1000} s in some round` : `${events.drainMs} ms after the load (median; max ${events.drainMaxMs} ms), ${events.drainRate} events/s meanwhile`}`,
      `took ${Math.round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    saveResults('webhooks-latest.json', { connections: CONNECTIONS, rounds: ROUNDS, amount: AMOUNT, webhookConcurrency: process.env.WEBHOOK_CONCURRENCY ?? 'default', loadAverage: os.loadavg(), table, cpuPerSecret, events, deliveries, perRound: results });
  } finally {
    await stop();
  }
}

runBench('bench:webhooks', main);
