// Fuzzing over a real socket on 127.0.0.1: thousands of random methods, paths, content types, bodies and
// Authorization headers, sent in concurrent bursts, then a handful of malformed raw HTTP messages. Nothing may
// answer 5xx (nor the compat 404 whose intended status is 500), every API error keeps the contract's shape, and
// afterwards the server still answers /status and still shares and reveals a secret.
import { Agent, METHODS, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, basic, makeApp, type TestApp } from '../support/app.js';

const RUNS = 300;
const BURST = 10; // requests per run, sent concurrently
const TIME_BUDGET_MS = 90_000;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const PATH_BASES = [
  '/',
  '/api',
  '/api/',
  '/api/v1',
  '/api/v1/status',
  '/api/v1/authcheck',
  '/api/v1/share',
  '/api/v1/create',
  '/api/v1/generate',
  '/api/v1/secret/',
  '/api/v1/private/',
  '/api/v1/metadata/',
  '/api/v1/receipt/',
  '/api/v1/private/recent',
  '/api/v2/secret/',
  '/api/v2/secret/conceal',
  '/api/v2/receipt/',
  '/api/v3/guest/secret/',
  '/api/v3/guest/receipts',
  '/secret/',
  '/private/',
];
/** Path tails: keys, traversal, encodings (valid, invalid and overlong), query strings with arrays and repeats. */
const pathTail = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[0-9a-z]{1,70}$/),
  fc.stringMatching(/^[0-9a-z]{31}\/burn$/),
  fc.constantFrom('..', '../..', '%2e%2e/', '%00', '%zz', '%E0%A4%A', '%C0%AF', '//', ';', '~', '%2F', 'recent', 'RECENT'),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.webPath(),
);
const query = fc.oneof(
  fc.constant(''),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.constantFrom(
    '?secret=a&secret=b',
    '?secret[]=x&recipient[]=a@b.c&recipient[]=d@e.f',
    '?ttl=-1&ttl=1e309',
    '?__proto__[polluted]=1',
    '?constructor[prototype][x]=1',
    '?passphrase=' + 'p'.repeat(300),
    '?secret=%ZZ',
    '?' + '&'.repeat(500),
    '?a=' + 'b'.repeat(6000),
    // Issue 22: nesting deep enough to overflow a recursive walk.
    `?a${'[a]'.repeat(3000)}=1`,
    `?secret[secret]=x&secret[ttl]=1e21`,
  ),
);
const path = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('/api/v1/status', '/api/v2/status', '/api/v3/status') },
  { weight: 9, arbitrary: fc.tuple(fc.constantFrom(...PATH_BASES), pathTail, query).map(([base, tail, q]) => `${base}${tail}${q}`) },
);

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
  { weight: 1, arbitrary: fc.constantFrom('PROPFIND', 'TRACE', 'M-SEARCH', 'FOO', 'CONNECTX') },
);

const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=fuzz',
    'multipart/form-data; boundary=',
    'multipart/mixed; boundary=fuzz',
    'text/plain',
    'application/xml',
    'application/octet-stream',
    '*/*',
    'application/json, text/html',
    'garbage',
    '',
  ),
  fc.string({ maxLength: 30 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const authorization = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  fc.constantFrom(
    basic(ALICE),
    'Basic Og==',
    'Basic',
    'Basic ',
    'Basic !!!!',
    `Basic ${b64('no-colon')}`,
    `Basic ${b64(':token-only')}`,
    `Basic ${b64('alice@example.com:')}`,
    `Basic ${b64(`${ALICE.email}:wrong`)}`,
    `Basic ${b64('a'.repeat(4000) + ':' + 'b'.repeat(4000))}`,
    'Bearer abc.def.ghi',
    'Digest username="x"',
    'basic ' + b64('ALICE@EXAMPLE.COM:' + ALICE.token),
  ),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `Basic ${b64(s)}`),
  fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

const multipartBody = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom('secret', 'passphrase', 'ttl', 'x', 'recipient[]', ''), fc.string({ maxLength: 50 })), { maxLength: 25 }), fc.boolean(), fc.boolean())
  .map(([fields, withFile, truncated]) => {
    const parts = fields.map(([n, v]) => `--fuzz\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`);
    if (withFile) parts.push('--fuzz\r\nContent-Disposition: form-data; name="secret"; filename="a"\r\n\r\nfile\r\n');
    const text = `${parts.join('')}--fuzz--\r\n`;
    return truncated ? text.slice(0, Math.floor(text.length / 2)) : text;
  });
const body = fc.oneof(
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('{"secret":', '{"__proto__":{"x":1},"secret":"s"}', '[1,2,3]', 'null', '"str"', '{"secret":{"$gt":""}}', '\uFEFF{}'),
  fc.dictionary(fc.constantFrom('secret', 'passphrase', 'ttl', 'share_domain', 'recipient', 'length', 'zz'), fc.string({ maxLength: 40 })).map((d) =>
    new URLSearchParams(d).toString(),
  ),
  multipartBody,
  fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
  // Issue 22: deep nesting, many keys, lone surrogates, huge numbers, multipart whose boundary never comes.
  fc.integer({ min: 1, max: 6000 }).map((n) => '{"secret":'.repeat(n) + '"x"' + '}'.repeat(n)),
  fc.integer({ min: 1, max: 6000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 4000 }).map((n) => `secret${'[a]'.repeat(n)}=1`),
  fc.integer({ min: 900, max: 2000 }).map((n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))),
  fc.constantFrom('\\ud800', '\\udbff', '\\udc00', 'a\\ud800b', '\\ud83d\\ude00').chain((text) =>
    fc.constantFrom(`{"secret":"${text}"}`, `{"secret":{"secret":"x","passphrase":"${text}"}}`, `{"${text}":1}`, `{"passphrase":"${text}","continue":true}`),
  ),
  fc.constantFrom('{"secret":{"secret":"x","ttl":1e21}}', '{"secret":"x","ttl":1e300}', '{"ttl":-1e21}'),
  fc.constantFrom('no delimiter here at all', '--other\r\n\r\n', '--fuzz', '--fuzz--\r\n'),
  fc.integer({ min: 10_000, max: 120_000 }).map((n) => `secret=${'x'.repeat(n)}`),
);

const request: fc.Arbitrary<Sent> = fc.record({ method, path, ct: contentType, auth: authorization, body }).map((r) => {
  const headers: Record<string, string> = {};
  if (r.ct !== undefined) headers['content-type'] = r.ct;
  if (r.auth !== undefined) headers.authorization = r.auth;
  return { method: r.method, path: r.path, headers, body: Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body) };
});

describe('HTTP fuzz over a real socket (redis store)', () => {
  let t: TestApp;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: BURST });
  const tally = { sent: 0, answered: 0, reset: 0, byStatus: new Map<number, number>() };
  const failures: string[] = [];

  beforeAll(async () => {
    t = await makeApp('redis');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  function send(r: Sent): Promise<Answer | 'reset'> {
    return new Promise((resolve) => {
      let req;
      try {
        // Framed by Content-Length for every method: an unframed GET body would be read as the next request.
        const headers = r.body.length > 0 ? { ...r.headers, 'content-length': String(r.body.length) } : r.headers;
        req = httpRequest({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent });
      } catch {
        return resolve('reset'); // the client itself refused to send it (e.g. an invalid header character)
      }
      req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve('reset'));
      });
      req.on('error', (err) => {
        if (err.message === 'timeout') failures.push(`no answer within 20 s: ${r.method} ${r.path}`);
        resolve('reset'); // the server may close on a refused body; that is not an error answer
      });
      req.end(r.body.length > 0 ? r.body : undefined);
    });
  }

  function judge(r: Sent, a: Answer): void {
    const intended = a.headers['x-ots-intended-status'];
    const where = `${r.method} ${r.path.slice(0, 80)} [${r.headers['content-type'] ?? '-'}]`;
    if (a.status >= 500) failures.push(`${a.status} for ${where}: ${a.body.slice(0, 200)}`);
    if (intended === '500') failures.push(`intended 500 for ${where}: ${a.body.slice(0, 200)}`);
    // Under /api every refusal is the contract's: compat or intended status, the header, a JSON message. Only the
    // HTTP parser itself answers otherwise, before any request exists: an unknown method, headers too large (431).
    const isApi = /^\/api([/?]|$)/.test(r.path) && METHODS.includes(r.method) && a.status !== 431;
    // v2 and v3 answer in their own shape (ADR-013: real status, {error, error_type}); the rest of /api is v1's.
    const isV2 = /^\/api\/v[23]([/?]|$)/.test(r.path);
    if (isApi && isV2 && a.status >= 400 && r.method !== 'HEAD') {
      try {
        const parsed = JSON.parse(a.body) as { error?: unknown; error_type?: unknown };
        if (typeof parsed.error !== 'string' || typeof parsed.error_type !== 'string') failures.push(`v2 error without error/error_type for ${where}`);
      } catch {
        failures.push(`v2 error body is not JSON for ${where}: ${a.body.slice(0, 100)}`);
      }
    }
    if (isApi && !isV2 && a.status !== 200 && intended === undefined) {
      failures.push(`${a.status} without X-OTS-Intended-Status for ${where}: ${a.body.slice(0, 120)}`);
    }
    if (isApi && a.headers['cache-control'] !== 'no-store') failures.push(`no Cache-Control: no-store on a ${a.status} for ${where}: ${a.body.slice(0, 100)}`);
    if (intended !== undefined && r.method !== 'HEAD') {
      try {
        const parsed = JSON.parse(a.body) as { message?: unknown };
        if (typeof parsed.message !== 'string') failures.push(`error without message for ${where}`);
      } catch {
        failures.push(`error body is not JSON for ${where}: ${a.body.slice(0, 100)}`);
      }
    }
    if (/\bat .+\.(ts|js):\d+/.test(a.body)) failures.push(`stack trace in the body for ${where}`);
    // HEAD answers as its GET does, with no body (docs/contracts/ots-v2-api.md §11.5).
    if (r.method === 'HEAD' && a.body !== '') failures.push(`HEAD with a body for ${where}`);
    const anonymous = r.headers.authorization === undefined;
    if (r.method === 'HEAD' && anonymous && /^\/api\/v[123]\/status$/.test(r.path) && a.status !== 200) failures.push(`HEAD ${a.status} for ${where}`);
  }

  it(`${RUNS * BURST} random requests: never a 5xx, every error in the contract shape`, async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: BURST, maxLength: BURST }), async (burst) => {
        if (Date.now() - started > TIME_BUDGET_MS) return; // bounded in time as well as in count
        const answers = await Promise.all(burst.map(send));
        burst.forEach((r, i) => {
          const a = answers[i]!;
          tally.sent++;
          if (a === 'reset') return void tally.reset++;
          tally.answered++;
          tally.byStatus.set(a.status, (tally.byStatus.get(a.status) ?? 0) + 1);
          judge(r, a);
        });
        expect(failures).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    console.info(`fuzz: ${tally.sent} requests sent, ${tally.answered} answered, ${tally.reset} closed early;`, Object.fromEntries(tally.byStatus));
    expect(tally.sent).toBeGreaterThanOrEqual(1000);
    expect(tally.answered).toBeGreaterThan(tally.sent * 0.9);
  });

  // Found by the property above (seed 1782006115): a large multipart body made a GET or HEAD of the status a 422.
  it.each(['GET', 'HEAD'])('%s of the status with a large multipart body it never reads answers as without one', async (method) => {
    for (const path of ['/api/v1/status', '/api/v2/status', '/api/v3/status']) {
      const r: Sent = { method, path, headers: { 'content-type': 'multipart/form-data; boundary=' }, body: Buffer.from('{"secret":'.repeat(6000)) };
      const a = await send(r);
      if (a === 'reset') throw new Error(`${method} ${path} was reset`);
      expect(a.status, `${method} ${path}`).toBe(200);
      judge(r, a);
    }
    expect(failures).toEqual([]);
  });

  it('malformed raw HTTP messages get at most a 4xx, never a 5xx', async () => {
    const raw = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET /api/v1/status HTTP/9.9\r\nHost: x\r\n\r\n',
      'POST /api/v1/share HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST /api/v1/share HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
      'POST /api/v1/share HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      'GET /api/v1/status HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      `GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      'GET /api/v1/\x00status HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /api/v1/share HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"secret":"short"}',
      'POST /api/v1/share?secret=%FF%FE HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
      // Issue 22: an empty multipart body without Content-Length, and heads Node refuses itself (431, 400).
      'POST /api/v2/secret/conceal HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=X\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /api/v1/share HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=X\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      `GET /api/v2/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      'GET /api/v3/status HTTP/7.0\r\nHost: x\r\n\r\n',
      'HEAD /api/v2/status HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (const message of raw) {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let data = '';
        socket.setTimeout(3_000, () => socket.destroy());
        socket.on('data', (c) => (data += c.toString('latin1')));
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
        socket.write(message, () => setImmediate(() => socket.end()));
      });
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
      expect(status < 500, `${JSON.stringify(message.slice(0, 60))} → ${reply.slice(0, 120)}`).toBe(true);
      expect(reply).not.toMatch(/x-ots-intended-status: 500/i);
      // Even Node's own refusals (431, unparseable heads) come in the contract's JSON, never Fastify's default body.
      const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
      if (status >= 400) expect(Object.keys(JSON.parse(body) as object), message.slice(0, 60)).toEqual(expect.arrayContaining([expect.stringMatching(/^(message|error)$/)]));
      expect(body).not.toContain('"statusCode"');
    }
  });

  it('afterwards the server still answers /status and still shares and reveals a secret', async () => {
    const status = await send({ method: 'GET', path: '/api/v1/status', headers: {}, body: Buffer.alloc(0) });
    expect(status).not.toBe('reset');
    expect(JSON.parse((status as Answer).body)).toEqual({ status: 'nominal', locale: 'en' });
    const shared = await send({
      method: 'POST',
      path: '/api/v1/share',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('secret=still+alive'),
    });
    const key = (JSON.parse((shared as Answer).body) as { secret_key: string }).secret_key;
    const revealed = await send({ method: 'POST', path: `/api/v1/secret/${key}`, headers: {}, body: Buffer.alloc(0) });
    expect(JSON.parse((revealed as Answer).body)).toMatchObject({ value: 'still alive' });
    expect(t.logs.join('')).not.toContain('unexpected error');
  });
});
