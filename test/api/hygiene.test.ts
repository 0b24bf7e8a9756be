// Nothing secret leaves the request: after real flows (secrets and passphrases in query strings, urlencoded,
// multipart and JSON bodies; generate, reveal, receipts, burn, recent, failed auth), neither the log output at any
// level nor the bytes stored in Redis contain a secret value, a passphrase, a token, an Authorization header or a
// query string; logs carry no full key either. Request log lines have the fields an operator needs, and no more.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/store/redis-store.js';
import { ALICE, basic, BOB, makeApp, STORE_KINDS, type TestApp } from '../support/app.js';
import { dumpValues, makePrefixedRedisStore } from '../support/redis-inspect.js';
import { burn, expectError, get, ok, postForm, postJson, postMultipart, postQuery, reveal, share, type Receipt } from './wire.js';

/** Everything the flows sent or received that must never be logged or stored in clear. */
class Needles {
  readonly values: string[] = [];
  readonly passphrases: string[] = [];
  readonly tokens = [ALICE.token, BOB.token];
  readonly authHeaders: string[] = [];
  readonly queryStrings: string[] = [];
  /** Full secret and metadata keys: never in logs (in Redis they are key names, which is how a store finds them). */
  readonly keys: string[] = [];

  value(): string {
    const v = `hygiene-value-${randomUUID()}`;
    this.values.push(v);
    return v;
  }

  passphrase(): string {
    const p = `hygiene-pass-${randomUUID()}`;
    this.passphrases.push(p);
    return p;
  }

  receipt(r: Receipt): Receipt {
    this.keys.push(r.secret_key!, r.metadata_key);
    return r;
  }

  query(params: Record<string, string>): Record<string, string> {
    this.queryStrings.push(new URLSearchParams(params).toString());
    return params;
  }

  auth(user: { email: string; token: string }): { email: string; token: string } {
    const header = basic(user);
    this.authHeaders.push(header, header.slice('Basic '.length));
    return user;
  }

  /** Labelled needles; stored bytes are also searched for values in base64, as an encoded copy would appear. */
  all(withKeys: boolean): [string, string][] {
    const base64 = this.values.flatMap((v) => [Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url')]);
    return [
      ...this.values.map((v): [string, string] => ['secret value', v]),
      ...base64.map((v): [string, string] => ['base64 of a secret value', v]),
      ...this.passphrases.map((v): [string, string] => ['passphrase', v]),
      ...this.tokens.map((v): [string, string] => ['account token', v]),
      ...this.authHeaders.map((v): [string, string] => ['Authorization header', v]),
      ...this.queryStrings.map((v): [string, string] => ['query string', v]),
      ...(withKeys ? this.keys.map((v): [string, string] => ['full key', v]) : []),
    ];
  }
}

/** How many requests runFlows sends; each must have exactly one request line. */
const REQUESTS_PER_FLOW_RUN = 21;

/** Runs every flow a client can drive, the way real clients send them; returns what must not leak. */
async function runFlows(t: TestApp): Promise<Needles> {
  const n = new Needles();
  const alice = n.auth(ALICE);
  const bob = n.auth(BOB);

  // Share: secret and passphrase in the query string of a bodiless POST (curl -X POST 'url?secret=…').
  const viaQuery = n.receipt(ok<Receipt>(await postQuery(t, '/api/v1/share', n.query({ secret: n.value(), passphrase: n.passphrase() }))));
  const viaForm = n.receipt(await share(t, { secret: n.value(), passphrase: n.passphrase() }));
  const multipartPass = n.passphrase();
  const viaMultipart = n.receipt(
    ok<Receipt>(await postMultipart(t, '/api/v1/share', [['secret', n.value()], ['passphrase', multipartPass]], alice)),
  );
  const jsonPass = n.passphrase();
  const viaJson = n.receipt(ok<Receipt>(await postJson(t, '/api/v1/create', { secret: n.value(), passphrase: jsonPass, ttl: 3600 }, bob)));
  const plain = n.receipt(await share(t, { secret: n.value() }));
  const generated = n.receipt(ok<Receipt>(await postForm(t, '/api/v1/generate', { passphrase: n.passphrase() }, alice)));
  n.values.push(generated.value!);

  // Receipts, by both verbs, as the owner where there is one.
  for (const r of [viaQuery, viaForm, plain]) ok(await get(t, `/api/v1/private/${r.metadata_key}`));
  ok(await postForm(t, `/api/v1/metadata/${viaMultipart.metadata_key}`, {}, alice));
  ok(await get(t, `/api/v1/receipt/${generated.metadata_key}`, alice));

  // Reveals: wrong passphrase first, then the right one in the query string, in a form and in JSON.
  expectError(await reveal(t, viaForm.secret_key!, { passphrase: n.passphrase() }), 'Unknown secret', 404, {
    secret_key: viaForm.secret_key!,
  });
  ok(await postQuery(t, `/api/v1/secret/${viaQuery.secret_key}`, n.query({ passphrase: n.passphrases[0]! })));
  ok(await reveal(t, viaForm.secret_key!, { passphrase: n.passphrases[1]! }));
  ok(await postJson(t, `/api/v1/secret/${viaMultipart.secret_key}`, { passphrase: multipartPass }));
  ok(await reveal(t, plain.secret_key!));

  // Burn with the passphrase in the query string; a wrong one first.
  expectError(await burn(t, viaJson.metadata_key, { passphrase: n.passphrase() }, bob), 'Incorrect passphrase', 400);
  ok(await postQuery(t, `/api/v1/private/${viaJson.metadata_key}/burn`, n.query({ passphrase: jsonPass }), bob));

  // Recent with an account, then failed authentication: a wrong token and an unknown account.
  expect(ok<Receipt[]>(await get(t, '/api/v1/private/recent', alice)).length).toBeGreaterThan(0);
  const wrongToken = n.auth({ email: ALICE.email, token: `wrong-${randomUUID()}` });
  const stranger = n.auth({ email: 'mallory@example.com', token: `stranger-${randomUUID()}` });
  n.tokens.push(wrongToken.token, stranger.token);
  expectError(await get(t, '/api/v1/authcheck', wrongToken), 'Not authorized', 401);
  expectError(await postForm(t, '/api/v1/share', { secret: n.value() }, stranger), 'Not authorized', 401);
  return n;
}

function expectNoneIn(haystack: string | Buffer, needles: [string, string][], where: string): void {
  for (const [label, needle] of needles) {
    expect(haystack.includes(needle), `${where} contains a ${label}: ${needle}`).toBe(false);
  }
}

// Fields a request line may carry: pino's own, Fastify's request id, and what request-log.ts writes.
const REQUEST_LINE_FIELDS = ['level', 'time', 'pid', 'hostname', 'reqId', 'msg', 'method', 'route', 'status', 'ms', 'key'];

function parseLines(logs: string[]): Record<string, unknown>[] {
  return logs
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const LEVEL_CASES = STORE_KINDS.flatMap((kind) => ['info', 'debug', 'trace'].map((level) => ({ kind, level })));

describe.each(LEVEL_CASES)('log hygiene ($kind store, LOG_LEVEL=$level)', ({ kind, level }) => {
  let t: TestApp;
  let needles: Needles;
  beforeAll(async () => {
    t = await makeApp(kind, { LOG_LEVEL: level });
    needles = await runFlows(t);
  });
  afterAll(() => t.close());

  it('no log line holds a secret, passphrase, token, Authorization header, query string or full key', () => {
    const output = t.logs.join('');
    expectNoneIn(output, needles.all(true), `log output at ${level}`);
    // At debug and trace, plugins really did log more (multipart logs its request headers at trace).
    const verbose = parseLines(t.logs).filter((line) => Number(line.level) < 30);
    if (level === 'info') expect(verbose).toHaveLength(0);
    else expect(verbose.length).toBeGreaterThan(0);
  });

  it('every request has one line with method, route pattern, status, duration and at most a 6-character key', () => {
    const requests = parseLines(t.logs).filter((line) => line.msg === 'request');
    expect(requests).toHaveLength(REQUESTS_PER_FLOW_RUN);
    for (const line of requests) {
      expect(line).toMatchObject({
        method: expect.stringMatching(/^(GET|POST)$/),
        route: expect.stringMatching(/^\/api\/v1\/[a-z/:]+$/),
        status: expect.any(Number),
        ms: expect.any(Number),
      });
      expect(REQUEST_LINE_FIELDS).toEqual(expect.arrayContaining(Object.keys(line)));
      if ('key' in line) expect(String(line.key)).toMatch(/^[0-9a-z]{1,6}$/);
    }
    const routes = new Set(requests.map((line) => line.route));
    for (const route of ['/api/v1/share', '/api/v1/create', '/api/v1/generate', '/api/v1/secret/:key', '/api/v1/private/:key']) {
      expect(routes).toContain(route);
    }
    for (const route of ['/api/v1/private/:key/burn', '/api/v1/private/recent', '/api/v1/authcheck']) expect(routes).toContain(route);
    const reveals = requests.filter((line) => line.route === '/api/v1/secret/:key');
    expect(reveals.every((line) => String(line.key).length === 6)).toBe(true);
  });
});

describe('storage hygiene (redis store)', () => {
  let t: TestApp;
  let prefix: string;
  let needles: Needles;
  beforeAll(async () => {
    const prefixed = await makePrefixedRedisStore();
    prefix = prefixed.prefix;
    t = await makeApp('redis', {}, { store: prefixed.store });
    needles = await runFlows(t);
  });
  afterAll(() => t.close());

  it("no stored value under the app's prefix holds a secret value, passphrase, token, header or query string", async () => {
    const { keys, bytes } = await dumpValues((t.store as RedisStore).redis, `${prefix}*`);
    // The dump really covers what the flows wrote: secrets still unread, receipts, recent lists, accounts.
    for (const kind of ['secret:', 'receipt:', 'recent:', 'account:']) {
      expect(keys.some((k) => k.startsWith(`${prefix}${kind}`)), kind).toBe(true);
    }
    expect(bytes.length).toBeGreaterThan(1000);
    expectNoneIn(bytes, needles.all(false), 'Redis');
  });

  it('nothing else in the database holds them either (rate-limit counters and any key outside the prefix)', async () => {
    const { bytes } = await dumpValues((t.store as RedisStore).redis, '*');
    expectNoneIn(bytes, needles.all(false), 'Redis');
  });
});
