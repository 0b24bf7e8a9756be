// npm run bench:ab -- A=dist/server.js B=/tmp/variant/dist/server.js …: the same workload (create, then reveal
// each key once) against several builds of the server, to see what one change costs. Every round runs each build
// once, starting at a different one, so A and B alternate under the same load from the machine's other tenants;
// each build's figure in a round is compared with the first build's in that round. Prints per-build medians and
// the spread over rounds, and writes bench/results/ab.json. Bounded: a few seconds per build and round.
import os from 'node:os';
import { freePort, RedisServer } from '../test/support/redis-server.js';
import { benchEnv, createPhase, figures, median, revealPhase, runBench, saveResults, startServer, type Figures, type Server } from './harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const AMOUNT = Number(process.env.BENCH_AMOUNT ?? 6_000);
const WORKLOADS = ['create', 'reveal'] as const;

/** `NAME=path/to/server.js` arguments, in order; the first is the reference. */
function builds(args: string[]): { name: string; script: string }[] {
  const list = args.map((a) => {
    const at = a.indexOf('=');
    if (at < 1) throw new Error(`expected NAME=path/to/server.js, got ${a}`);
    return { name: a.slice(0, at), script: a.slice(at + 1) };
  });
  if (list.length < 2) throw new Error('give at least two builds: A=… B=…');
  return list;
}

/** Median, and the lowest and highest, of a build's figure over rounds. */
function spread(xs: number[], digits = 1): string {
  const r = (x: number) => x.toFixed(digits);
  return `${r(median(xs))} (${r(Math.min(...xs))}–${r(Math.max(...xs))})`;
}

async function main() {
  const started = Date.now();
  const list = builds(process.argv.slice(2));
  const redis = await RedisServer.start();
  const env = benchEnv(redis.url);
  const servers: Server[] = [];
  try {
    for (const b of list) {
      const s = await startServer(b.name, b.script, env, await freePort(), 'pipe');
      // Log lines go to a pipe that is read, as under a supervisor: the write path costs what it costs there.
      s.child.stdout?.resume();
      servers.push(s);
    }
    process.stdout.write('warm-up…\n');
    for (const s of servers) {
      const { created } = await createPhase(s, 3_000);
      await revealPhase(s, created);
    }
    const results = new Map(servers.map((s) => [s.name, { create: [] as Figures[], reveal: [] as Figures[] }]));
    for (let round = 0; round < ROUNDS; round++) {
      process.stdout.write(`round ${round + 1}/${ROUNDS}\n`);
      for (const s of servers.map((_, i) => servers[(i + round) % servers.length]!)) {
        const { create, created } = await createPhase(s, AMOUNT);
        const reveal = await revealPhase(s, created);
        results.get(s.name)!.create.push(figures(create));
        results.get(s.name)!.reveal.push(figures(reveal));
      }
      saveResults('ab-partial.json', { rounds: round + 1, amount: AMOUNT, builds: list, perRound: Object.fromEntries(results) });
    }
    const ref = results.get(list[0]!.name)!;
    const rows = list.map(({ name }) => {
      const r = results.get(name)!;
      const of = (w: (typeof WORKLOADS)[number]) => ({
        cpuUs: r[w].map((f) => f.cpuUs),
        rps: r[w].map((f) => f.rps),
        p99: r[w].map((f) => f.p99),
        // Same round, same load: the per-round difference in CPU µs per request and ratio of req/s to the reference.
        cpuDelta: r[w].map((f, i) => f.cpuUs - ref[w][i]!.cpuUs),
        rpsRatio: r[w].map((f, i) => f.rps / ref[w][i]!.rps),
        errors: r[w].reduce((n, f) => n + f.errors, 0),
        // Rounds in which this build spent more CPU per request than the reference: near half is noise.
        costlier: r[w].filter((f, i) => f.cpuUs > ref[w][i]!.cpuUs).length,
      });
      return { name, create: of('create'), reveal: of('reveal') };
    });
    const lines = [
      `A/B — ${ROUNDS} rotating rounds of ${AMOUNT} creates then reveals, 32 connections, 200-byte secrets`,
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; median (min–max) over rounds`,
      '',
      '| build | workload | CPU µs/req | Δ CPU µs vs ' + list[0]!.name + ' | costlier in | req/s | req/s ÷ ' + list[0]!.name + ' | p99 ms | errors |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows.flatMap((r) =>
        WORKLOADS.map((w) => {
          const f = r[w];
          return `| ${r.name} | ${w} | ${spread(f.cpuUs)} | ${spread(f.cpuDelta)} | ${f.costlier}/${ROUNDS} | ${spread(f.rps, 0)} | ${spread(f.rpsRatio, 2)} | ${spread(f.p99, 0)} | ${f.errors} |`;
        }),
      ),
      '',
      `took ${Math.round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    saveResults('ab.json', { rounds: ROUNDS, amount: AMOUNT, builds: list, rows });
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await redis.destroy();
  }
}

runBench('ab', main);
