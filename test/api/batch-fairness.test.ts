// A client that spends its whole reveal budget on the largest batches allowed (25 identifiers) does not slow another
// client down: over a real loopback socket, the other client's status calls keep a p99 under 50 ms while the first
// one is saturated (or, on a machine too busy for that, under twice their own p99 without the flood). Clients are told apart by X-Forwarded-For from a trusted loopback proxy.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/app.js';
import { topologyFromEnv } from '../support/topology.js';
import { conceal, send, serve, V2, V3 } from './socket.js';

const BUDGET = 2000; // RATE_LIMIT_REVEAL: 80 full batches
const BATCH = 25;
const ATTACKERS = 1; // connections of the saturating client, each sending its next batch as soon as one is answered
const CALLS = 200; // the other client's status calls, one at a time, and more until the first client is refused
const MAX_CALLS = 2000; // the bound, should the first client never be refused

// A timing claim: measured once, in the single-Redis run (CI runs test/api again on Cluster and Sentinel, side by
// side with other suites, where the cost rule it checks is the same and the machine is busier).
describe.skipIf(topologyFromEnv() !== 'single').each(STORE_KINDS)('batch fairness (%s store)', (kind) => {
  const s = serve(kind, { RATE_LIMIT_REVEAL: String(BUDGET), TRUST_PROXY: '127.0.0.1' });
  let keys: string[] = [];

  beforeAll(async () => {
    keys = [];
    for (let i = 0; i < BATCH; i++) keys.push((await conceal(s, `${V3}/guest`, { secret: `s${i}` })).secretKey);
  });

  /** The other client's status calls, one at a time, timed; `more` says whether to go on after CALLS. */
  async function timedCalls(more: () => boolean): Promise<number[]> {
    const timings: number[] = [];
    for (let i = 0; (i < CALLS || more()) && i < MAX_CALLS; i++) {
      const started = performance.now();
      const reply = await send(s, 'GET', `${V2}/secret/${keys[i % BATCH]}/status`, { headers: { 'x-forwarded-for': '198.51.100.9' } });
      timings.push(performance.now() - started);
      expect(reply.status).toBe(200);
    }
    return timings;
  }

  it('one client saturating its budget with 25-identifier batches leaves another client’s p99 under 50 ms', { timeout: 30_000 }, async () => {
    // The same calls without the flood first: on a machine busy with other work (CI runs test files side by side),
    // the bound is twice this baseline when that is more than 50 ms allows for.
    const baseline = p99Of(await timedCalls(() => false));
    // The flooding client runs on its own thread, as a real one runs on its own machine: its own parsing does not
    // queue on the server's event loop, only its requests do.
    const flood = new Worker(FLOOD, {
      eval: true,
      workerData: { url: `${s.origin}${V2}/secret/status`, body: JSON.stringify({ identifiers: keys }), connections: ATTACKERS },
    });
    let saturated = false;
    const answered = new Promise<{ ok: number; limited: number; other: string[] }>((resolve, reject) => {
      flood.on('message', (m: 'saturated' | { ok: number; limited: number; other: string[] }) => {
        if (m === 'saturated') saturated = true;
        else resolve(m);
      });
      flood.once('error', reject);
    });
    // Let the flood start before measuring.
    await new Promise<void>((resolve) => flood.once('online', () => resolve()));
    let timings: number[];
    try {
      timings = await timedCalls(() => !saturated);
    } finally {
      flood.postMessage('stop');
    }
    const { ok, limited, other } = await answered;
    await flood.terminate();

    // The flooding client spent its whole budget while the other was measured: at most its worth of lookups.
    expect(saturated).toBe(true);
    expect(other).toEqual([]);
    expect(ok * BATCH).toBeLessThanOrEqual(BUDGET);
    expect(ok).toBeGreaterThan(BUDGET / BATCH - ATTACKERS);
    expect(limited).toBeGreaterThan(0);
    const sorted = [...timings].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.ceil(sorted.length * q) - 1]!.toFixed(1);
    const bound = Math.max(50, 2 * baseline);
    expect(p99Of(timings), `ms at p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${at(1)}; baseline p99 ${baseline.toFixed(1)}`).toBeLessThan(bound);
  });
});

function p99Of(timings: number[]): number {
  const sorted = [...timings].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.99) - 1]!;
}

/**
 * The flooding client: `connections` loops posting the batch until told to stop; says when it is first refused (its
 * budget spent), and at the end what it was answered.
 */
const FLOOD = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, body, connections } = workerData;
let stop = false;
parentPort.once('message', () => { stop = true; });
const answered = { ok: 0, limited: 0, other: [] };
const loop = async () => {
  while (!stop) {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.66' } });
    await res.arrayBuffer();
    if (res.status === 200) answered.ok++;
    else if (res.status !== 429) answered.other.push(String(res.status));
    else if (++answered.limited === 1) parentPort.postMessage('saturated');
  }
};
Promise.all(Array.from({ length: connections }, loop)).then(() => parentPort.postMessage(answered));
`;
