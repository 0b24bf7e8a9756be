// Once means once across API versions and processes: two `node dist/server.js` processes on one Redis with one
// REDIS_PREFIX, and 16 concurrent reveals of one secret split over the v1, v2, v2 guest and v3 guest reveal routes
// and over both processes. Exactly one gets the value; every other one is told the secret is unknown, in its own
// version's shape; the receipt then says received (v1) / revealed (v2). Repeated for secrets made through each
// version, with and without a passphrase; then reveals race burns (v1, v2, v3 guest) the same way.
// (test/deploy/scale-out.test.ts races v1 only.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic } from '../support/app.js';
import { RedisServer } from '../support/redis-server.js';
import { ensureBuilt } from '../e2e/built.js';
import { sharedRedisEnv, startServerProcess, type ServerProcess } from './server-process.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(origin: string, method: 'GET' | 'POST', path: string, init: { json?: object; form?: Record<string, string>; auth?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (init.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  if (init.auth) headers.authorization = init.auth;
  const res = await fetch(`${origin}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { unparsed: text };
  }
  return { status: res.status, body: parsed };
}

/** The four reveal routes, each as its client sends it, and what a winner and a loser get back. */
const ROUTES = {
  v1: {
    reveal: (o: string, key: string, passphrase?: string) => call(o, 'POST', `/api/v1/secret/${key}`, { form: passphrase ? { passphrase } : {} }),
    value: (a: Answer) => a.body.value,
    loser: (key: string) => ({ message: 'Unknown secret', secret_key: key }),
  },
  v2: {
    reveal: (o: string, key: string, passphrase?: string) =>
      call(o, 'POST', `/api/v2/secret/${key}/reveal`, { json: { continue: true, ...(passphrase ? { passphrase } : {}) } }),
    value: (a: Answer) => (a.body.record as Record<string, unknown> | undefined)?.secret_value,
    loser: () => ({ error: 'Unknown secret', error_type: 'RecordNotFound' }),
  },
  'v2 guest': {
    reveal: (o: string, key: string, passphrase?: string) =>
      call(o, 'POST', `/api/v2/guest/secret/${key}/reveal`, { json: { continue: true, ...(passphrase ? { passphrase } : {}) } }),
    value: (a: Answer) => (a.body.record as Record<string, unknown> | undefined)?.secret_value,
    loser: () => ({ error: 'Unknown secret', error_type: 'RecordNotFound' }),
  },
  'v3 guest': {
    reveal: (o: string, key: string, passphrase?: string) =>
      call(o, 'POST', `/api/v3/guest/secret/${key}/reveal`, { json: { continue: true, ...(passphrase ? { passphrase } : {}) } }),
    value: (a: Answer) => (a.body.record as Record<string, unknown> | undefined)?.secret_value,
    loser: () => ({ error: 'Unknown secret', error_type: 'RecordNotFound' }),
  },
} as const;
type RouteName = keyof typeof ROUTES;
const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

interface Made {
  secretKey: string;
  receiptKey: string;
  value: string;
}

/** How each round's secret is made: through v1, v2 (with an account), v3 guest, and v2 generate. */
const MAKERS: [string, (origin: string, value: string, passphrase?: string) => Promise<Made>][] = [
  [
    'v1 share',
    async (o, value, passphrase) => {
      const a = await call(o, 'POST', '/api/v1/share', { form: { secret: value, ttl: '3600', ...(passphrase ? { passphrase } : {}) } });
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      return { secretKey: String(a.body.secret_key), receiptKey: String(a.body.metadata_key), value };
    },
  ],
  [
    'v2 conceal (account)',
    async (o, value, passphrase) => {
      const a = await call(o, 'POST', '/api/v2/secret/conceal', {
        json: { secret: { secret: value, ttl: 3600, ...(passphrase ? { passphrase } : {}) } },
        auth: basic(ALICE),
      });
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      const record = a.body.record as { secret: { identifier: string }; receipt: { identifier: string } };
      return { secretKey: record.secret.identifier, receiptKey: record.receipt.identifier, value };
    },
  ],
  [
    'v3 guest conceal',
    async (o, value, passphrase) => {
      const a = await call(o, 'POST', '/api/v3/guest/secret/conceal', { json: { secret: { secret: value, ttl: 3600, ...(passphrase ? { passphrase } : {}) } } });
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      const record = a.body.record as { secret: { identifier: string }; receipt: { identifier: string } };
      return { secretKey: record.secret.identifier, receiptKey: record.receipt.identifier, value };
    },
  ],
  [
    'v2 generate',
    async (o, _value, passphrase) => {
      const a = await call(o, 'POST', '/api/v2/secret/generate', { json: { secret: { ttl: 3600, ...(passphrase ? { passphrase } : {}) } } });
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      // §10.4: the generated password is in the generate response, once.
      const record = a.body.record as { secret: { identifier: string; secret_value: string }; receipt: { identifier: string } };
      expect(record.secret.secret_value).toEqual(expect.any(String));
      return { secretKey: record.secret.identifier, receiptKey: record.receipt.identifier, value: record.secret.secret_value };
    },
  ],
];

const ROUNDS = 10;
const RACERS = 16;
const READY_WITHIN_MS = 10_000;

/** Polls GET /ready until it answers 200, within a bound. */
async function waitReady(origin: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${origin}/ready`);
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50)); // poll interval, not a wait for a race
  }
  throw new Error(`${origin}/ready did not answer 200 within ${READY_WITHIN_MS} ms (last: ${last})`);
}

describe('16 concurrent reveals across v1, v2, v2 guest and v3 guest on two server processes, one Redis', () => {
  let redis: RedisServer;
  let instances: ServerProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start();
    const env = sharedRedisEnv(redis.url, {
      OTS_ACCOUNTS: `${ALICE.email}:${ALICE.token}`,
      OTS_PUBLIC_URL: 'https://secrets.example.com',
      LOG_LEVEL: 'info',
      PASSPHRASE_MAX_ATTEMPTS: '1000',
    });
    instances = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    await Promise.all(instances.map((s) => waitReady(s.origin)));
  }, 120_000);
  /** Both processes must still be up; if one is gone, say how it ended (its exit and its last output). */
  function expectBothAlive() {
    for (const [n, s] of instances.entries()) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) {
        throw new Error(
          `instance ${n} exited (${s.child.exitCode ?? s.child.signalCode}) during the test:\n${s.logs.slice(-20).join('\n')}\n${s.stderr()}`,
        );
      }
    }
  }
  afterEach(() => expectBothAlive());

  afterAll(async () => {
    instances.forEach((s) => s.kill());
    await Promise.all(instances.map((s) => s.exited));
    await redis?.destroy();
  });

  it(`exactly one of ${RACERS} gets the value, in each of ${ROUNDS} rounds; the receipt says received / revealed`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [makerName, make] = MAKERS[round % MAKERS.length]!;
      const passphrase = round % 2 === 1 ? `pass phrase ${round}` : undefined;
      const label = `round ${round}: made by ${makerName} on instance ${round % 2}${passphrase ? ', with a passphrase' : ''}`;
      const made = await make(instances[round % 2]!.origin, `race ${round} ✓ ${Math.random()}\n`, passphrase);

      // racer i: route i mod 4, instance ⌊i/4⌋ mod 2, so every route runs on both processes
      const plan = Array.from({ length: RACERS }, (_, i) => ({ route: ROUTE_NAMES[i % ROUTE_NAMES.length]!, instance: Math.floor(i / ROUTE_NAMES.length) % 2 }));
      const answers = await Promise.all(plan.map((p) => ROUTES[p.route].reveal(instances[p.instance]!.origin, made.secretKey, passphrase)));

      const winners = answers.flatMap((a, i) => (a.status === 200 ? [{ ...plan[i]!, answer: a }] : []));
      expect(winners.map((w) => `${w.route}@${w.instance}`), label).toHaveLength(1);
      const winner = winners[0]!;
      expect(ROUTES[winner.route].value(winner.answer), label).toBe(made.value);
      answers.forEach((a, i) => {
        if (a.status === 200) return;
        const route = plan[i]!.route;
        expect({ route, status: a.status, body: a.body }, label).toEqual({ route, status: 404, body: ROUTES[route].loser(made.secretKey) });
      });

      const v1 = await call(instances[(round + 1) % 2]!.origin, 'GET', `/api/v1/private/${made.receiptKey}`);
      expect(v1.status, `${label}: ${JSON.stringify(v1.body)}`).toBe(200);
      expect(v1.body, label).toMatchObject({ state: 'received', received: expect.any(Number) });
      expect(v1.body, label).not.toHaveProperty('secret_key');

      const v2 = await call(instances[round % 2]!.origin, 'GET', `/api/v2/receipt/${made.receiptKey}`);
      expect(v2.status, `${label}: ${JSON.stringify(v2.body)}`).toBe(200);
      expect(v2.body.record, label).toMatchObject({
        state: 'revealed',
        is_revealed: true,
        is_received: true,
        is_destroyed: true,
        is_burned: false,
        revealed: expect.any(Number),
        secret_state: null,
      });
    }
  }, 120_000);

  it('reveals racing burns across versions and processes: one wins, and both receipt views name it', async () => {
    const BURNS = {
      v1: (o: string, receiptKey: string) => call(o, 'POST', `/api/v1/private/${receiptKey}/burn`),
      v2: (o: string, receiptKey: string) => call(o, 'POST', `/api/v2/receipt/${receiptKey}/burn`, { json: { continue: true } }),
      'v3 guest': (o: string, receiptKey: string) => call(o, 'POST', `/api/v3/guest/receipt/${receiptKey}/burn`, { json: { continue: true } }),
    };
    /** A burn won when it answered 200 and (v2/v3) said success: true; losers answer 404 (v1) or success: false. */
    const burnWon = (a: Answer) => a.status === 200 && a.body.success !== false;
    const burnNames = Object.keys(BURNS) as (keyof typeof BURNS)[];
    for (let round = 0; round < 6; round++) {
      const [makerName, make] = MAKERS[round % MAKERS.length]!;
      const label = `mixed round ${round}: made by ${makerName}`;
      const made = await make(instances[round % 2]!.origin, `mixed ${round} ${Math.random()}`);
      const plan = Array.from({ length: RACERS }, (_, i) =>
        i % 4 === 3
          ? { kind: 'burn' as const, route: burnNames[(i >> 2) % burnNames.length]!, instance: (i >> 2) % 2 }
          : { kind: 'reveal' as const, route: ROUTE_NAMES[i % 4]!, instance: (i >> 2) % 2 },
      );
      const answers = await Promise.all(
        plan.map((p) =>
          p.kind === 'burn'
            ? BURNS[p.route as keyof typeof BURNS](instances[p.instance]!.origin, made.receiptKey)
            : ROUTES[p.route as RouteName].reveal(instances[p.instance]!.origin, made.secretKey),
        ),
      );
      const won = answers.flatMap((a, i) => {
        const p = plan[i]!;
        return (p.kind === 'burn' ? burnWon(a) : a.status === 200) ? [`${p.kind} ${p.route}@${p.instance}`] : [];
      });
      expect(won, label).toHaveLength(1);
      const burned = won[0]!.startsWith('burn');
      const v1 = await call(instances[0]!.origin, 'GET', `/api/v1/private/${made.receiptKey}`);
      expect(v1.body.state, `${label}, won by ${won[0]}`).toBe(burned ? 'burned' : 'received');
      const v2 = await call(instances[1]!.origin, 'GET', `/api/v2/receipt/${made.receiptKey}`);
      expect((v2.body.record as Record<string, unknown> | undefined)?.state, `${label}, won by ${won[0]}`).toBe(burned ? 'burned' : 'revealed');
    }
  }, 120_000);
});
