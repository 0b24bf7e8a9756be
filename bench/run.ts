// npm run bench: ots-server against the bare Fastify + Redis floor (bench/baseline-server.ts), all on 127.0.0.1.
// Starts its own redis-server, both servers as child processes, and drives them with autocannon in alternating
// rounds after a warm-up. Prints a table and writes bench/results/latest.json. Bounded: a few minutes at most.
import os from 'node:os';
import { Redis } from 'ioredis';
import { freePort, RedisServer } from '../test/support/redis-server.js';
import {
  ask,
  benchEnv,
  CONNECTIONS,
  createPhase,
  figures,
  FORM,
  pairedRatio,
  phase,
  revealPhase,
  run,
  runBench,
  saveResults,
  SECRET,
  startServer,
  summarise,
  type Figures,
  type Server,
} from './harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const AMOUNT = Number(process.env.BENCH_AMOUNT ?? 15_000); // creates (then reveals) per round
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4); // receipt and passphrase phases
const MEMORY_SECRETS = 20_000;
const WORKERS_NAME = 'ots-server WORKERS=2';
const PASSPHRASE = 'correct horse battery staple';

/** create (collecting keys), receipt view (cycling those keys), then reveal each key exactly once. */
async function basicRound(s: Server, amount: number) {
  const { create, created } = await createPhase(s, amount);
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
  const reveal = await revealPhase(s, created);
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
  const env = benchEnv(redis.url);
  const ours = await startServer('ots-server', 'bench/instrumented-server.mjs', env, await freePort());
  const base = await startServer('baseline', 'bench/baseline-server.ts', env, await freePort());
  // The same server in two processes on one port (WORKERS=2): measured on create, reveal and receipt only.
  const workers = await startServer(WORKERS_NAME, 'dist/server.js', { ...env, WORKERS: '2' }, await freePort());
  const servers = [ours, base];
  try {
    process.stdout.write(`warm-up…\n`);
    for (const s of servers) {
      await basicRound(s, 3_000);
      await passphraseRound(s);
    }
    await basicRound(workers, 3_000);
    ours.child.send('reset');

    const results: Record<string, { create: Figures[]; receipt: Figures[]; reveal: Figures[]; passphrase: Figures[] }> = {
      'ots-server': { create: [], receipt: [], reveal: [], passphrase: [] },
      baseline: { create: [], receipt: [], reveal: [], passphrase: [] },
      [WORKERS_NAME]: { create: [], receipt: [], reveal: [], passphrase: [] },
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
      process.stdout.write(`round ${round}/${ROUNDS}: ${WORKERS_NAME}\n`);
      const w = await basicRound(workers, AMOUNT);
      results[WORKERS_NAME]!.create.push(w.create);
      results[WORKERS_NAME]!.receipt.push(w.receipt);
      results[WORKERS_NAME]!.reveal.push(w.reveal);
    }
    const stats = await ask<{ rssPeakMb: number }>(ours.child, 'stats');
    const bytesPerSecret = await redisBytesPerSecret(redis.url, ours);

    const table = (['create', 'reveal', 'receipt', 'passphrase'] as const).map((w) => {
      const o = summarise(results['ots-server']![w]);
      const b = summarise(results.baseline![w]);
      return { workload: w, ours: o, baseline: b, ratio: w === 'passphrase' ? null : pairedRatio(results['ots-server']![w], results.baseline![w]) };
    });
    const byName = Object.fromEntries(table.map((t) => [t.workload, t]));
    // WORKERS=2 against the single-process floor (the baseline), and what one core of server CPU serves.
    const scaling = (['create', 'reveal', 'receipt'] as const).map((w) => ({
      workload: w,
      workers2: summarise(results[WORKERS_NAME]![w]),
      ratio: pairedRatio(results[WORKERS_NAME]![w], results.baseline![w]),
      perCore: Math.round(1e6 / Math.max(1, summarise(results['ots-server']![w]).cpuUs)),
    }));
    // Each target with the figure it is judged on: a miss reads as how far below, not as a failed run.
    const errors = (w: string) => byName[w]!.ours.errors;
    const targets: [name: string, ok: boolean, figure: string][] = [
      ['create ≥ 0.8 × baseline, 0 errors', byName.create!.ratio! >= 0.8 && errors('create') === 0, `${byName.create!.ratio} ×, ${errors('create')} errors`],
      ['reveal ≥ 0.8 × baseline, 0 errors', byName.reveal!.ratio! >= 0.8 && errors('reveal') === 0, `${byName.reveal!.ratio} ×, ${errors('reveal')} errors`],
      [
        'p99 < 10 ms (create, reveal, receipt)',
        ['create', 'reveal', 'receipt'].every((w) => byName[w]!.ours.p99 < 10),
        ['create', 'reveal', 'receipt'].map((w) => `${byName[w]!.ours.p99} ms`).join(' / '),
      ],
      ['event-loop delay p99 < 20 ms during passphrase load', eventLoopP99Ms < 20, `${eventLoopP99Ms.toFixed(1)} ms`],
      ['server RSS < 150 MB', stats.rssPeakMb < 150, `${stats.rssPeakMb.toFixed(0)} MB`],
      ['Redis memory < 700 B per secret + receipt', bytesPerSecret < 700, `${bytesPerSecret} B`],
      ['WORKERS=2: create ≥ 1.0 × the single-process baseline', scaling[0]!.ratio >= 1, `${scaling[0]!.ratio} ×`],
      ['WORKERS=2: reveal ≥ 1.0 × the single-process baseline', scaling[1]!.ratio >= 1, `${scaling[1]!.ratio} ×`],
    ];

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
      `WORKERS=2 (two processes, one port), ratio to the single-process baseline; per core: requests one core of`,
      `server CPU serves at WORKERS=1 (1e6 / CPU µs per request; Redis and the load generator not counted):`,
      '',
      '| workload | WORKERS=2 req/s | p99 ms | errors | CPU µs/req | ratio to baseline | per core (WORKERS=1) |',
      '|---|---|---|---|---|---|---|',
      ...scaling.map((x) => `| ${x.workload} | ${x.workers2.rps} | ${x.workers2.p99} | ${x.workers2.errors} | ${x.workers2.cpuUs} | ${x.ratio} | ${x.perCore}/s |`),
      '',
      `event-loop delay p99 during passphrase load: ${eventLoopP99Ms.toFixed(1)} ms`,
      `server RSS peak: ${stats.rssPeakMb.toFixed(0)} MB`,
      `Redis memory per stored secret (receipt included): ${bytesPerSecret} bytes (${MEMORY_SECRETS} secrets)`,
      '',
      ...targets.map(([name, ok, figure]) => `${ok ? 'met         ' : 'below target'}  ${name}: ${figure}`),
      `took ${Math.round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    saveResults('latest.json', { connections: CONNECTIONS, rounds: ROUNDS, table, scaling, perRound: results, eventLoopP99Ms, rssPeakMb: stats.rssPeakMb, bytesPerSecret, targets: Object.fromEntries(targets.map(([name, ok]) => [name, ok])) });
  } finally {
    for (const s of [...servers, workers]) s.child.kill('SIGTERM');
    await redis.destroy();
  }
}

runBench('bench', main);
