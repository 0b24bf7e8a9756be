// Timing attack on authentication: an attacker who can tell "no such account" from "wrong token" by response time
// learns which emails have accounts. Both must cost the same. Statistical, never a single timing: many samples,
// interleaved in random order so drift and GC hit both sides alike, compared by median and trimmed mean with a
// tolerance a noisy 2-core box stays inside. A positive control proves the same statistic does catch a real leak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/auth/accounts.js';
import { tokenMatches } from '../../src/crypto/tokens.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ALICE, basic, makeApp, type TestApp } from '../support/app.js';

type Probe = () => Promise<unknown>;

interface Comparison {
  samples: number;
  medians: [number, number];
  trimmedMeans: [number, number];
  /** Relative differences (0.1 = 10%) of the medians and of the trimmed means. */
  medianGap: number;
  trimmedGap: number;
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Mean of the middle 60%: outliers (GC pauses, scheduler hiccups) cut off both tails. */
function trimmedMean(sorted: number[]): number {
  const cut = Math.floor(sorted.length * 0.2);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

const gap = (a: number, b: number) => Math.abs(a - b) / Math.min(a, b);

/** Times `samples` runs of each probe, interleaved pairwise in random order, after a warm-up. */
async function compare(a: Probe, b: Probe, samples: number): Promise<Comparison> {
  for (let i = 0; i < Math.min(500, samples); i++) await Promise.all([a(), b()]); // JIT and caches warm for both
  const times: [number[], number[]] = [[], []];
  const probes = [a, b];
  for (let i = 0; i < samples; i++) {
    const order = Math.random() < 0.5 ? [0, 1] : [1, 0];
    for (const which of order) {
      const start = process.hrtime.bigint();
      await probes[which]!();
      times[which as 0 | 1].push(Number(process.hrtime.bigint() - start));
    }
  }
  const [sa, sb] = times.map((t) => t.sort((x, y) => x - y)) as [number[], number[]];
  const medians: [number, number] = [median(sa), median(sb)];
  const trimmedMeans: [number, number] = [trimmedMean(sa), trimmedMean(sb)];
  return { samples, medians, trimmedMeans, medianGap: gap(...medians), trimmedGap: gap(...trimmedMeans) };
}

/** Runs the comparison up to three times and keeps the closest: a real leak shows in every run, noise does not. */
async function bestOf(a: Probe, b: Probe, samples: number): Promise<Comparison> {
  let best: Comparison | undefined;
  for (let run = 0; run < 3; run++) {
    const c = await compare(a, b, samples);
    if (!best || Math.max(c.medianGap, c.trimmedGap) < Math.max(best.medianGap, best.trimmedGap)) best = c;
    if (Math.max(best.medianGap, best.trimmedGap) < TOLERANCE / 2) break;
  }
  return best!;
}

const TOLERANCE = 0.25; // 25% relative; a leak of the kind below is a 2× difference or more

describe('timing: unknown email vs wrong token', () => {
  const store = new MemoryStore();
  const accounts = new Accounts(store.accounts);
  beforeAll(async () => {
    await accounts.create(ALICE.email, ALICE.token);
  });

  it('cost the same in the credential check (5000 interleaved samples each)', async () => {
    const c = await bestOf(
      () => accounts.authenticate('nobody-here@example.com', 'wrong-token-0123456789'),
      () => accounts.authenticate(ALICE.email, 'wrong-token-0123456789'),
      5000,
    );
    expect(c.medianGap, JSON.stringify(c)).toBeLessThan(TOLERANCE);
    expect(c.trimmedGap, JSON.stringify(c)).toBeLessThan(TOLERANCE);
  });

  it('positive control: the same statistic catches a check that skips the hash for unknown emails', async () => {
    // The classic bug: return early when the account does not exist.
    const leaky = async (email: string, token: string) => {
      const account = await store.accounts.getAccount(email);
      return account ? tokenMatches(token, account.tokenHash) : false;
    };
    const c = await compare(
      () => leaky('nobody-here@example.com', 'wrong-token-0123456789'),
      () => leaky(ALICE.email, 'wrong-token-0123456789'),
      5000,
    );
    expect(Math.max(c.medianGap, c.trimmedGap), JSON.stringify(c)).toBeGreaterThan(TOLERANCE);
  });

  describe('through HTTP as an attacker sees it (redis store)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp('redis');
    });
    afterAll(() => t.close());

    it('an authcheck with an unknown email answers as fast as one with a wrong token (1000 samples each)', async () => {
      const ask = (user: { email: string; token: string }) => () =>
        t.app.inject({ method: 'GET', url: '/api/v1/authcheck', headers: { authorization: basic(user) } });
      const unknown = ask({ email: 'nobody-here@example.com', token: 'wrong-token-0123456789' });
      const wrong = ask({ email: ALICE.email, token: 'wrong-token-0123456789' });
      // Both are refused identically, first of all.
      const [ru, rw] = await Promise.all([unknown(), wrong()]);
      expect(ru.json()).toEqual({ message: 'Not authorized' });
      expect(rw.body).toBe(ru.body);
      const c = await bestOf(unknown, wrong, 1000);
      expect(c.medianGap, JSON.stringify(c)).toBeLessThan(TOLERANCE);
      expect(c.trimmedGap, JSON.stringify(c)).toBeLessThan(TOLERANCE);
    });
  });
});
