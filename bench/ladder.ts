// npm run bench:ladder: what each of ots-server's features costs against the floor. Runs bench/ladder-server.ts at
// each rung (the floor, then the request log, encryption, the receipt and the rate limit added one at a time) and
// the real server, in rotating rounds of create then reveal on 127.0.0.1. Prints a table and writes
// bench/results/ladder.json. Bounded: about 1½ minutes.
import os from 'node:os';
import { freePort, RedisServer } from '../test/support/redis-server.js';
import {
  benchEnv,
  createPhase,
  figures,
  pairedRatio,
  revealPhase,
  runBench,
  saveResults,
  startServer,
  summarise,
  type Figures,
  type Server,
} from './harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const AMOUNT = Number(process.env.BENCH_AMOUNT ?? 10_000);

const RUNGS = [
  { name: 'floor (bench/baseline-server.ts)', rung: '0' },
  { name: '+ request log line', rung: '1' },
  { name: '+ encryption at rest', rung: '2' },
  { name: '+ receipt (service and store)', rung: '3' },
  { name: '+ shared rate limit', rung: '4' },
] as const;
const FULL = 'ots-server (everything else too)';

async function createThenReveal(s: Server, amount: number): Promise<{ create: Figures; reveal: Figures }> {
  const { create, created } = await createPhase(s, amount);
  const reveal = await revealPhase(s, created);
  return { create: figures(create), reveal: figures(reveal) };
}

async function main() {
  const started = Date.now();
  const redis = await RedisServer.start();
  const env = benchEnv(redis.url);
  const servers: Server[] = [];
  try {
    for (const r of RUNGS) {
      servers.push(await startServer(r.name, 'bench/ladder-server.ts', { ...env, LADDER_RUNG: r.rung }, await freePort()));
    }
    servers.push(await startServer(FULL, 'dist/server.js', env, await freePort()));
    process.stdout.write('warm-up…\n');
    for (const s of servers) await createThenReveal(s, 3_000);

    const results = new Map(servers.map((s) => [s.name, { create: [] as Figures[], reveal: [] as Figures[] }]));
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts at another rung, so no rung always runs right after the same neighbour.
      const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
      process.stdout.write(`round ${round + 1}/${ROUNDS}\n`);
      for (const s of order) {
        const r = await createThenReveal(s, AMOUNT);
        results.get(s.name)!.create.push(r.create);
        results.get(s.name)!.reveal.push(r.reveal);
      }
    }

    const floor = results.get(servers[0]!.name)!;
    const rows = servers.map((s) => {
      const r = results.get(s.name)!;
      // Against the floor measured in the same round: the machine's other tenants move both alike.
      const row = (w: 'create' | 'reveal') => ({ ...summarise(r[w]), ratio: pairedRatio(r[w], floor[w]) });
      return { name: s.name, create: row('create'), reveal: row('reveal') };
    });
    const lines = [
      `feature ladder — 200-byte secrets, 32 connections, ${ROUNDS} rotating rounds of ${AMOUNT} creates then reveals (medians)`,
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      '',
      '| server | create req/s | CPU µs/req | ratio to floor | reveal req/s | CPU µs/req | ratio to floor | errors |',
      '|---|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.create.rps} | ${r.create.cpuUs} | ${r.create.ratio} | ${r.reveal.rps} | ${r.reveal.cpuUs} | ${r.reveal.ratio} | ${r.create.errors + r.reveal.errors} |`,
      ),
      '',
      `took ${Math.round((Date.now() - started) / 1000)} s`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    saveResults('ladder.json', { rounds: ROUNDS, amount: AMOUNT, rows, perRound: Object.fromEntries(results) });
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await redis.destroy();
  }
}

runBench('ladder', main);
