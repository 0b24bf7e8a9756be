// "Once means once" (contract §4): of any number of concurrent reveals or burns of one secret, across any number
// of server instances sharing the store, exactly one succeeds, and the receipt tells who won.
// Through inject() the requests interleave at every await; over real sockets against two app instances sharing one
// Redis prefix, they really run at the same time on separate connections.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, STORE_KINDS, type TestApp } from '../support/app.js';
import { makePrefixedRedisStore } from '../support/redis-inspect.js';
import { postForm } from './wire.js';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}
/** One way to POST a urlencoded form to a server: inject() or fetch over a socket. */
type Post = (url: string, form?: Record<string, string>) => Promise<Reply>;

const injectPost =
  (t: TestApp): Post =>
  async (url, form = {}) => {
    const res = await postForm(t, url, form);
    return { status: res.statusCode, body: res.json() };
  };

const socketPost =
  (origin: string): Post =>
  async (url, form = {}) => {
    const res = await fetch(`${origin}${url}`, { method: 'POST', body: new URLSearchParams(form) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

const UNKNOWN = 'Unknown secret';
const RATE_LIMITED = 'Rate limit exceeded. Please try again later.';

const passphraseForm = (passphrase?: string): Record<string, string> => (passphrase ? { passphrase } : {});

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A set of servers to race against; request i goes to server i mod n. */
class Race {
  constructor(private readonly posts: Post[]) {}

  private post(i: number, url: string, form?: Record<string, string>): Promise<Reply> {
    return this.posts[i % this.posts.length]!(url, form);
  }

  async share(passphrase?: string): Promise<{ value: string; secretKey: string; metadataKey: string }> {
    const value = `race ${randomUUID()}`;
    const res = await this.post(0, '/api/v1/share', { secret: value, ...passphraseForm(passphrase) });
    expect(res.status).toBe(200);
    return { value, secretKey: String(res.body.secret_key), metadataKey: String(res.body.metadata_key) };
  }

  /** Fires every request at once and waits for all of them. */
  fire(requests: { url: string; form?: Record<string, string> }[]): Promise<Reply[]> {
    return Promise.all(requests.map((r, i) => this.post(i, r.url, r.form)));
  }

  async receiptState(metadataKey: string): Promise<Record<string, unknown>> {
    const res = await this.post(0, `/api/v1/private/${metadataKey}`);
    expect(res.status).toBe(200);
    return res.body;
  }
}

/** A loser of a race: `Unknown secret` naming the key it asked for, or (if allowed) the rate-limit answer. */
function expectLoser(reply: Reply, key: string, losers: string[]): void {
  expect(reply.status).toBe(404);
  expect(losers).toContain(reply.body.message);
  if (reply.body.message === UNKNOWN) expect(reply.body).toEqual({ message: UNKNOWN, secret_key: key });
  else expect(reply.body).toEqual({ message: reply.body.message });
}

/** Runs `rounds` races of `n` concurrent reveals, each on a fresh secret; asserts one winner per race. */
async function revealRaces(race: Race, opts: { rounds: number; n: number; passphrase?: string; losers?: string[] }) {
  for (let round = 0; round < opts.rounds; round++) {
    const s = await race.share(opts.passphrase);
    const form = passphraseForm(opts.passphrase);
    const replies = await race.fire(Array.from({ length: opts.n }, () => ({ url: `/api/v1/secret/${s.secretKey}`, form })));

    const winners = replies.filter((r) => r.status === 200);
    expect(winners, `round ${round}`).toHaveLength(1);
    expect(winners[0]!.body).toMatchObject({ value: s.value, secret_key: s.secretKey });
    for (const loser of replies.filter((r) => r.status !== 200)) expectLoser(loser, s.secretKey, opts.losers ?? [UNKNOWN]);
    expect(await race.receiptState(s.metadataKey)).toMatchObject({ state: 'received' });
  }
}

/**
 * Reveals and burns of one secret in random order; exactly one succeeds and the receipt names its kind. Which
 * kind wins depends on the interleaving (reveals claim one store round trip earlier than burns).
 */
async function revealBurnRaces(
  race: Race,
  opts: { rounds: number; reveals: number; burns: number; passphrase?: string; losers?: string[] },
) {
  for (let round = 0; round < opts.rounds; round++) {
    const s = await race.share(opts.passphrase);
    const form = passphraseForm(opts.passphrase);
    const kinds = shuffled([...Array<'reveal'>(opts.reveals).fill('reveal'), ...Array<'burn'>(opts.burns).fill('burn')]);
    const replies = await race.fire(
      kinds.map((kind) => ({
        url: kind === 'reveal' ? `/api/v1/secret/${s.secretKey}` : `/api/v1/private/${s.metadataKey}/burn`,
        form,
      })),
    );

    const won = replies.flatMap((r, i) => (r.status === 200 ? [{ kind: kinds[i]!, body: r.body }] : []));
    expect(won, `round ${round}`).toHaveLength(1);
    const winner = won[0]!;
    if (winner.kind === 'reveal') expect(winner.body.value).toBe(s.value);
    else expect(winner.body).toMatchObject({ state: { state: 'burned' }, secret_shortkey: s.secretKey.slice(0, 6) });
    replies.forEach((r, i) => {
      if (r.status !== 200) expectLoser(r, kinds[i] === 'reveal' ? s.secretKey : s.metadataKey, opts.losers ?? [UNKNOWN]);
    });

    const receipt = await race.receiptState(s.metadataKey);
    expect(receipt.state).toBe(winner.kind === 'reveal' ? 'received' : 'burned');
    expect(receipt.secret_key).toBe(winner.kind === 'reveal' ? undefined : '');
  }
}

// Every passphrase check costs one scrypt (32 MiB, ~0.1-0.2 s of CPU): races where all 50 racers really check the
// passphrase run once per setup and get a longer timeout.
const ALL_CHECKED_TIMEOUT = 120_000;

/** The races every setup runs, without passphrase (cheap, so repeated over several secrets). */
function unprotectedRaces(race: () => Race) {
  it('exactly one of 50 concurrent reveals gets the value (3 secrets)', async () => {
    await revealRaces(race(), { rounds: 3, n: 50 });
  });

  it('25 reveals racing 5 burns: one success, and the receipt says received or burned to match (6 secrets)', async () => {
    await revealBurnRaces(race(), { rounds: 6, reveals: 25, burns: 5 });
  });

  it('5 reveals racing 25 burns: one success, and the receipt matches the winner (4 secrets)', async () => {
    await revealBurnRaces(race(), { rounds: 4, reveals: 5, burns: 25 });
  });

  it('exactly one of 30 concurrent burns succeeds and the receipt says burned (3 secrets)', async () => {
    await revealBurnRaces(race(), { rounds: 3, reveals: 0, burns: 30 });
  });
}

describe.each(STORE_KINDS)('once means once under concurrent requests (%s store, inject)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind);
  });
  afterAll(() => t.close());
  const race = () => new Race([injectPost(t)]);

  unprotectedRaces(race);

  it('of 50 concurrent reveals with the right passphrase one wins; the rest are unknown or rate limited (3 secrets)', async () => {
    // The default guessing limit (5) lets only 5 racers check the passphrase; the others are turned away first.
    await revealRaces(race(), { rounds: 3, n: 50, passphrase: 'race-pass', losers: [UNKNOWN, RATE_LIMITED] });
  });

  it('6 reveals and 4 burns with the right passphrase racing: one success (2 secrets)', async () => {
    await revealBurnRaces(race(), { rounds: 2, reveals: 6, burns: 4, passphrase: 'race-pass', losers: [UNKNOWN, RATE_LIMITED] });
  });
});

describe('once means once when all 50 racers check the right passphrase (redis store, inject)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A guessing limit above the number of racers, so every racer really reaches the final conditional claim.
    t = await makeApp('redis', { PASSPHRASE_MAX_ATTEMPTS: '1000' });
  });
  afterAll(() => t.close());

  it('exactly one of 50 concurrent reveals with the right passphrase gets the value', { timeout: ALL_CHECKED_TIMEOUT }, async () => {
    await revealRaces(new Race([injectPost(t)]), { rounds: 1, n: 50, passphrase: 'race-pass' });
  });
});

describe('once means once across two server instances on real sockets (redis store)', () => {
  const instances: TestApp[] = [];
  let race: Race;
  beforeAll(async () => {
    // Two apps, each with its own Redis connection, sharing one key prefix: two servers, one store.
    const first = await makePrefixedRedisStore();
    const second = await makePrefixedRedisStore(first.prefix);
    const origins: string[] = [];
    for (const store of [first.store, second.store]) {
      const t = await makeApp('redis', { PASSPHRASE_MAX_ATTEMPTS: '1000' }, { store });
      instances.push(t);
      origins.push(await t.app.listen({ host: '127.0.0.1', port: 0 }));
    }
    race = new Race(origins.map(socketPost));
  });
  afterAll(() => Promise.all(instances.map((t) => t.close())));

  unprotectedRaces(() => race);

  it('exactly one of 50 concurrent reveals with the right passphrase gets the value, all 50 checked', { timeout: ALL_CHECKED_TIMEOUT }, async () => {
    await revealRaces(race, { rounds: 1, n: 50, passphrase: 'race-pass' });
  });
});
