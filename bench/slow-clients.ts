// Slow and idle clients against the built server (issue 22): slowloris heads, bodies that never come and idle
// keep-alives from 127.0.0.1, while a normal client on 127.0.0.2 measures its latency, and /proc/<pid>/fd counts
// the server's open files. The server runs with a file-descriptor limit of 1,024 (a common default) so that
// exhausting it shows. Bounded: about 45 s and a hard stop at 90 s; loopback only.
//
//   npm run bench:slow                      the server in this checkout (dist/)
//   tsx bench/slow-clients.ts /tmp/before   another build (a directory holding dist/server.js)
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(process.argv[2] ?? '.');
const PORT = 7300 + Math.floor(Math.random() * 500);
const EACH = 400; // connections of each kind: 1,200 in all, past the server's 1,024 file descriptors
const FD_LIMIT = 1024;
const PROBES = 20;
const HARD_STOP_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One normal request from 127.0.0.2 on a fresh connection: its latency in ms, or 'failed'. */
function probe(): Promise<number | 'failed'> {
  const started = process.hrtime.bigint();
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port: PORT, path: '/api/v2/status', localAddress: '127.0.0.2', agent: false }, (res) => {
      res.resume().on('end', () => done(res.statusCode === 200 ? Number(process.hrtime.bigint() - started) / 1e6 : 'failed'));
    });
    req.setTimeout(2_000, () => req.destroy());
    req.on('error', () => done('failed'));
    req.end();
  });
}

async function measure(pid: number, attackers: Socket[]) {
  const latencies: number[] = [];
  let failed = 0;
  for (let i = 0; i < PROBES; i++) {
    const ms = await probe();
    if (ms === 'failed') failed++;
    else latencies.push(ms);
  }
  latencies.sort((a, b) => a - b);
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const open = attackers.filter((s) => !s.destroyed && !s.closed).length;
  const p50 = latencies.length ? latencies[Math.floor(latencies.length / 2)]!.toFixed(1) : '-';
  const max = latencies.length ? latencies[latencies.length - 1]!.toFixed(1) : '-';
  return { ok: `${PROBES - failed}/${PROBES}`, p50, max, fds, attackersOpen: open };
}

/** The three kinds of slow client, EACH of each, from 127.0.0.1. */
function attack(): { sockets: Socket[]; stop: () => void } {
  const sockets: Socket[] = [];
  const trickles: NodeJS.Timeout[] = [];
  const open = (first: string, then?: () => string) => {
    const s = connect({ host: '127.0.0.1', port: PORT, localAddress: '127.0.0.1' });
    s.on('error', () => {}).on('data', () => {});
    s.once('connect', () => {
      s.write(first);
      if (then) trickles.push(setInterval(() => !s.destroyed && s.write(then()), 2_000));
    });
    sockets.push(s);
  };
  for (let i = 0; i < EACH; i++) {
    open('GET /api/v2/status HTTP/1.1\r\nHost: x\r\n', () => `X-Slow-${i}: 1\r\n`); // slowloris: a header line every 2 s
    open('POST /api/v2/secret/conceal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"se');
    open('GET /api/v2/status HTTP/1.1\r\nHost: x\r\n\r\n'); // answered, then kept alive and idle
  }
  return { sockets, stop: () => trickles.forEach(clearInterval) };
}

async function main() {
  const hardStop = setTimeout(() => {
    console.error('slow-clients: hard stop');
    process.exit(2);
  }, HARD_STOP_MS);
  const server = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec node ${join(ROOT, 'dist/server.js')}`], {
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT: '10' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
  for (let i = 0; i < 100 && (await probe()) === 'failed'; i++) await sleep(100);
  const rows: Record<string, unknown> = {};
  rows['before the slow clients'] = await measure(server.pid!, []);
  const slow = attack();
  await sleep(3_000);
  rows['3 s into 1,200 slow clients'] = await measure(server.pid!, slow.sockets);
  await sleep(32_000); // past REQUEST_TIMEOUT (30 s) and HEADERS_TIMEOUT (10 s)
  rows['35 s in'] = await measure(server.pid!, slow.sockets);
  const signalled = Date.now();
  server.kill('SIGTERM');
  const code = await exited;
  slow.stop();
  slow.sockets.forEach((s) => s.destroy());
  clearTimeout(hardStop);
  console.log(`slow clients against ${ROOT} (server fd limit ${FD_LIMIT}; normal requests from 127.0.0.2, one connection each)`);
  console.table(rows);
  console.log(`SIGTERM with the slow clients still connected: exit ${code} after ${Date.now() - signalled} ms`);
}

void main();
