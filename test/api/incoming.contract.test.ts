// Incoming secrets (docs/contracts/ots-incoming-api.md §9) through a real socket on both stores, with the mail
// caught by a local SMTP server: config and validate, submit, errors, rate limits, the withheld link afterwards.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startSmtpSink, type SmtpSink } from '../operator/smtp-sink.js';
import { STORE_KINDS, TEST_MASTER_KEY } from '../support/app.js';
import { dumpValues, makePrefixedRedisStore } from '../support/redis-inspect.js';
import { expectError, expectNativeTypes, get, listenApp, NOT_FOUND, ok, post, postForm, postRaw, PUBLIC_URL, send, type SocketApp, V1, V2, V3 } from './socket.js';

const API = '/api/incoming';
const PREVIOUS_KEY = 'b'.repeat(2) + 'c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2';
const RECIPIENTS = 'Security@Example.com,Security Team;helpdesk@example.org;a@b.example,Smith, John';
const digestOf = (email: string, key = TEST_MASTER_KEY) =>
  createHmac('sha256', Buffer.from(key, 'hex')).update(`ots-server/incoming-recipient\0${email}`).digest('hex');
const SECURITY = digestOf('security@example.com');
const HELPDESK = digestOf('helpdesk@example.org');
const form = (error: string, field?: string) => ({ error, error_type: 'FormError', ...(field ? { field } : {}) });
const OFF = form('Incoming secrets feature is not enabled');

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink?.close());
afterEach(() => {
  sink.mails.length = 0;
});

const env = (extra: Record<string, string> = {}) => ({
  SMTP_URL: sink.url,
  SMTP_FROM: 'Secrets <ots@example.com>',
  INCOMING_RECIPIENTS: RECIPIENTS,
  OTS_SECRET_PREVIOUS: PREVIOUS_KEY,
  ...extra,
});

const submit = (s: SocketApp, fields: Record<string, unknown>, headers: Record<string, string> = {}) =>
  send(s, 'POST', `${API}/secret`, { body: JSON.stringify({ secret: fields }), contentType: 'application/json', headers });

describe.each(STORE_KINDS)('incoming secrets (%s store)', (kind) => {
  let s: SocketApp;
  beforeAll(async () => {
    s = await listenApp(kind, env());
  });
  afterAll(() => s?.close());

  it('§9.1–3: config lists digests and display names in order, no address, no success', async () => {
    const reply = await get(s, `${API}/config`);
    const body = ok(reply);
    expect(body).toEqual({
      config: {
        enabled: true,
        memo_max_length: 50,
        secret_max_length: 10000,
        default_ttl: 604800,
        recipients: [
          { digest: SECURITY, display_name: 'Security Team' },
          { digest: HELPDESK, display_name: 'helpdesk' },
          { digest: digestOf('a@b.example'), display_name: 'Smith, John' },
        ],
      },
    });
    for (const r of body.config.recipients) expect(r.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(reply.text).not.toContain('@');
  });

  it('§9.6, 26: an invalid Basic header is ignored', async () => {
    expect(ok(await send(s, 'GET', `${API}/config`, { headers: { authorization: 'Basic bm9wZTpub3Bl' } })).config.enabled).toBe(true);
  });

  it('§9.7–10: validate trims, compares exactly, accepts digests under a previous key', async () => {
    expect(ok(await post(s, `${API}/validate`, { recipient: `  ${SECURITY} ` }))).toEqual({ recipient: SECURITY, valid: true });
    expect(ok(await post(s, `${API}/validate`, { recipient: 'f'.repeat(64) })).valid).toBe(false);
    expect(ok(await post(s, `${API}/validate`, { recipient: SECURITY.toUpperCase() })).valid).toBe(false);
    expect(ok(await post(s, `${API}/validate`, { recipient: digestOf('security@example.com', PREVIOUS_KEY) })).valid).toBe(true);
    expectError(await post(s, `${API}/validate`, {}), 422, form('Recipient hash is required', 'recipient'));
  });

  it('§9.11–17, 28–29: a submit stores an anonymous incoming receipt and mails the link once', async () => {
    const reply = await send(s, 'POST', `${API}/secret`, {
      body: JSON.stringify({ secret: { secret: 'the vendor key', recipient: SECURITY, memo: '<b>Hi</b>   there', ttl: 60, passphrase: 'x' } }),
      contentType: 'application/json',
      headers: { authorization: 'Basic bm9wZTpub3Bl' },
    });
    const body = ok(reply);
    expectNativeTypes(body);
    expect(Object.keys(body).sort()).toEqual(['details', 'record', 'success']);
    expect(Object.keys(body.record).sort()).toEqual(['receipt', 'secret']);
    expect(body.details).toEqual({ memo: 'Hi there', recipient: SECURITY });
    const { receipt, secret } = body.record;
    expect(receipt).toMatchObject({
      state: 'new', source: 'incoming', kind: null, custid: null, owner_id: null, secret_identifier: null, share_domain: null,
      recipient_name: 'Security Team', show_recipients: true, memo: 'Hi there', has_passphrase: false,
      secret_ttl: 604800, receipt_ttl: 604800, lifespan: 604800, secret_shortid: secret.key.slice(0, 8),
    });
    expect(receipt.recipients).toMatch(/\*/);
    expect(receipt.recipients).not.toContain('security@example.com');
    expect(secret.identifier).toBe(secret.key);
    expect(secret.secret_ttl).toBe(604800);

    await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
    const [mail] = sink.mails;
    expect(mail!.to).toEqual(['security@example.com']);
    expect(mail!.text).toMatch(/^Subject: You've received a secret message$/m);
    expect(mail!.text).toContain(`${PUBLIC_URL}/secret/${secret.key}`);
    expect(mail!.text).toContain('Memo: Hi there');
    expect(mail!.text).toContain('works only once');
    expect(mail!.text).not.toContain(receipt.key);
    expect(mail!.text).not.toContain('the vendor key');
    expect(mail!.text).not.toContain('passphrase');
    expect(mail!.text).not.toContain('has shared a secret with you');

    // §9.40–45: no receipt view shows the key; the mailed link reveals once.
    const v2 = ok(await get(s, `${V2}/receipt/${receipt.key}`)).record;
    expect(v2).not.toHaveProperty('secret_identifier');
    expect(v2).toMatchObject({ share_path: null, share_url: null, source: 'incoming', recipient_name: 'Security Team', memo: 'Hi there' });
    expect(v2.receipt_url).toBe(`${PUBLIC_URL}/receipt/${receipt.key}`);
    const v1 = await get(s, `${V1}/private/${receipt.key}`);
    expect(v1.body).not.toHaveProperty('secret_key');
    expect(v1.body.custid).toBe('anon');
    const v3 = ok(await get(s, `${V3}/guest/receipt/${receipt.key}`)).record;
    expect(v3.recipients).toHaveLength(1);
    expect(v3.recipient_name).toBe('Security Team');
    const page = await get(s, `/receipt/${receipt.key}`);
    const burnLook = await post(s, `${V2}/receipt/${receipt.key}/burn`, { continue: false });
    for (const text of [JSON.stringify(v2), v1.text, JSON.stringify(v3), page.text, burnLook.text]) expect(text).not.toContain(secret.key);
    expect(page.text).not.toContain('/secret/');

    const revealed = ok(await post(s, `${V2}/secret/${secret.key}/reveal`, { continue: true }));
    expect(revealed.record.secret_value).toBe('the vendor key');
    expect((await post(s, `${V2}/secret/${secret.key}/reveal`, { continue: true })).status).toBe(404);
    expect(ok(await get(s, `${V2}/receipt/${receipt.key}`)).record.state).toBe('revealed');
  });

  it('§9.43: burn answers withhold the key; a committed burn burns', async () => {
    const { receipt, secret } = ok(await submit(s, { secret: 'burn me', recipient: HELPDESK })).record;
    const burned = await post(s, `${V2}/receipt/${receipt.key}/burn`, { continue: true });
    expect(ok(burned).record.state).toBe('burned');
    expect(burned.text).not.toContain(secret.key);
    expect((await post(s, `${V2}/secret/${secret.key}/reveal`, { continue: true })).status).toBe(404);
  });

  it('§9.17, 18, 21: memos are cut by characters; nested form bodies; size in bytes', async () => {
    const long = `${'😀'.repeat(49)}xyz`;
    expect(ok(await submit(s, { secret: 'x', recipient: SECURITY, memo: long })).details.memo).toBe(`${'😀'.repeat(49)}x`);
    expect(ok(await submit(s, { secret: 'x', recipient: SECURITY })).details.memo).toBe('');
    const nested = ok(await postForm(s, `${API}/secret`, { secret: { secret: 'form', recipient: HELPDESK, memo: 'm' } }));
    expect(nested.details).toEqual({ memo: 'm', recipient: HELPDESK });
    expect(ok(await submit(s, { secret: 'é'.repeat(5000), recipient: SECURITY })).success).toBe(true);
    expectError(await submit(s, { secret: `${'é'.repeat(5000)}x`, recipient: SECURITY }), 422, form('Secret content must be no more than 10000 bytes long', 'secret'));
  });

  it('§9.19–27: errors in order, JSON, with fields', async () => {
    expectError(await post(s, `${API}/secret`, { secret: 'x' }), 422, form('Incorrect payload format', 'secret'));
    expectError(await submit(s, { recipient: SECURITY }), 422, form('Secret content is required', 'secret'));
    expect(ok(await submit(s, { secret: '   ', recipient: SECURITY })).success).toBe(true);
    expectError(await submit(s, { secret: 'x' }), 422, form('Recipient is required', 'recipient'));
    expectError(await submit(s, { secret: 'x', recipient: '!!--'.slice(0, 2) }), 422, form('Recipient is required', 'recipient'));
    expectError(await submit(s, { secret: 'x', recipient: 'f'.repeat(64) }), 422, form('Invalid recipient', 'recipient'));
    expectError(await get(s, `${API}/secret`), 404, NOT_FOUND);
    expectError(await get(s, `${API}/nope`), 404, NOT_FOUND);
    expect((await get(s, `${V3}/incoming/config`)).status).toBe(404);
    expect((await get(s, '/incoming/config')).headers.get('content-type')).not.toContain('json');
    expect((await postRaw(s, `${API}/secret`, '{"secret":', 'application/json')).status).toBe(400);
  });
});

describe.each(STORE_KINDS)('incoming secrets switched off, passphrase, limits (%s store)', (kind) => {
  it('§9.5, 9, 19, 24: off answers enabled:false and refuses', async () => {
    const s = await listenApp(kind, env({ INCOMING_ENABLED: 'false' }));
    try {
      expect(ok(await get(s, `${API}/config`)).config).toMatchObject({ enabled: false, recipients: [] });
      expectError(await post(s, `${API}/validate`, { recipient: SECURITY }), 422, OFF);
      expectError(await submit(s, { secret: 'x', recipient: SECURITY }), 422, OFF);
      expectError(await post(s, `${API}/secret`, { secret: 'x' }), 422, form('Incorrect payload format', 'secret'));
    } finally {
      await s.close();
    }
  });

  it('§9.14, 30: the operator passphrase protects every incoming secret and is named in the mail', async () => {
    const s = await listenApp(kind, env({ INCOMING_DEFAULT_PASSPHRASE: 'operator-pass' }));
    try {
      const { receipt, secret } = ok(await submit(s, { secret: 'guarded', recipient: SECURITY })).record;
      expect(receipt.has_passphrase).toBe(true);
      await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
      expect(sink.mails[0]!.text).toContain('passphrase the operator of this site set');
      expect((await post(s, `${V2}/secret/${secret.key}/reveal`, { continue: true })).status).toBe(422);
      expect(ok(await post(s, `${V2}/secret/${secret.key}/reveal`, { continue: true, passphrase: 'operator-pass' })).record.secret_value).toBe('guarded');
    } finally {
      await s.close();
    }
  });

  it('§9.33–38: the client tier locks after its cap (the capping one passes), unknown digests count, a second client is free', async () => {
    const s = await listenApp(kind, env({ INCOMING_RATE_LIMIT_MAX_PER_IP: '3', TRUST_PROXY: 'loopback' }));
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    try {
      // Refused before the limiter: not counted.
      for (let i = 0; i < 5; i++) expect((await submit(s, { recipient: SECURITY }, from('10.0.0.1'))).status).toBe(422);
      expect((await submit(s, { secret: 'x', recipient: 'f'.repeat(64) }, from('10.0.0.1'))).status).toBe(422);
      for (let i = 0; i < 2; i++) ok(await submit(s, { secret: 'x', recipient: SECURITY }, from('10.0.0.1')));
      sink.mails.length = 0;
      const refused = await submit(s, { secret: 'x', recipient: SECURITY }, from('10.0.0.1'));
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: 'Too many incoming secret submissions. Please try again later.', error_type: 'LimitExceeded', max_attempts: 3 });
      expect(refused.body.retry_after).toBeGreaterThan(3500);
      expect(refused.body.retry_after).toBeLessThanOrEqual(3600);
      expect(refused.headers.get('retry-after')).toBe(String(refused.body.retry_after));
      ok(await submit(s, { secret: 'x', recipient: SECURITY }, from('10.0.0.2')));
    } finally {
      await s.close();
    }
    const off = await listenApp(kind, env({ INCOMING_RATE_LIMIT_MAX_PER_IP: '1', INCOMING_RATE_LIMIT_ENABLED: 'false' }));
    try {
      for (let i = 0; i < 3; i++) ok(await submit(off, { secret: 'x', recipient: SECURITY }));
    } finally {
      await off.close();
    }
  });

  it('§9.35: the recipient tier locks one recipient across clients; another stays open', async () => {
    const s = await listenApp(kind, env({ INCOMING_RATE_LIMIT_MAX_PER_RECIPIENT: '3', TRUST_PROXY: 'loopback' }));
    try {
      for (let i = 1; i <= 3; i++) ok(await submit(s, { secret: 'x', recipient: SECURITY }, { 'x-forwarded-for': `10.0.1.${i}` }));
      const refused = await submit(s, { secret: 'x', recipient: SECURITY }, { 'x-forwarded-for': '10.0.1.9' });
      expect(refused.status).toBe(429);
      expect(refused.body.max_attempts).toBe(3);
      ok(await submit(s, { secret: 'x', recipient: HELPDESK }, { 'x-forwarded-for': '10.0.1.9' }));
    } finally {
      await s.close();
    }
  });
});

describe('incoming boot checks (§9.4, 53, 54)', () => {
  const base = { OTS_SECRET: TEST_MASTER_KEY, SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'ots@example.com' };
  it.each([
    [{ INCOMING_ENABLED: 'true' }, 'INCOMING_ENABLED'],
    [{ INCOMING_RECIPIENTS: 'a@example.com', SMTP_URL: '' }, 'SMTP_URL'],
    [{ INCOMING_RECIPIENTS: 'not-an-address' }, 'INCOMING_RECIPIENTS'],
    [{ INCOMING_RECIPIENTS: 'a@example.com;A@example.com' }, 'INCOMING_RECIPIENTS'],
    [{ INCOMING_RECIPIENTS: Array.from({ length: 21 }, (_, i) => `r${i}@example.com`).join(';') }, 'INCOMING_RECIPIENTS'],
    [{ INCOMING_RECIPIENTS: 'a@example.com', INCOMING_DEFAULT_TTL: '10' }, 'INCOMING_DEFAULT_TTL'],
  ])('%j fails naming %s', (extra, setting) => {
    expect(() => loadConfig({ ...base, ...extra })).toThrow(setting);
  });

  it('reads INCOMING_RECIPIENT_1…4 after INCOMING_RECIPIENTS', () => {
    const c = loadConfig({ ...base, INCOMING_RECIPIENT_2: 'two@example.com', INCOMING_RECIPIENT_1: 'one@example.com,One', INCOMING_RECIPIENTS: 'zero@example.com' });
    expect([c.incomingRecipients, c.incomingRecipient1, c.incomingRecipient2].flatMap((l) => l ?? []).map((r) => r.name)).toEqual(['zero', 'One', 'two']);
  });
});

describe('incoming secrets across keys, instances, clocks and mail failures', () => {
  it('§9.4, 10: digests follow OTS_SECRET; a digest under a previous key is delivered to its recipient', async () => {
    const other = await listenApp('memory', env({ OTS_SECRET: 'd'.repeat(2) + TEST_MASTER_KEY.slice(2) }));
    const s = await listenApp('memory', env());
    try {
      expect(ok(await get(other, `${API}/config`)).config.recipients[0].digest).not.toBe(SECURITY);
      expect(ok(await get(s, `${API}/config`)).config.recipients[0].digest).toBe(SECURITY);
      const old = digestOf('security@example.com', PREVIOUS_KEY);
      const made = ok(await submit(s, { secret: 'after rotation', recipient: old }));
      expect(made.details.recipient).toBe(old);
      await vi.waitFor(() => expect(sink.mails.map((m) => m.to)).toEqual([['security@example.com']]), { timeout: 5_000, interval: 50 });
    } finally {
      await other.close();
      await s.close();
    }
  });

  it('§9.32: SMTP down → the submit still answers 200 and the secret reveals', async () => {
    const s = await listenApp('memory', env({ SMTP_URL: 'smtp://127.0.0.1:9' }));
    try {
      const { secret } = ok(await submit(s, { secret: 'no mail', recipient: SECURITY })).record;
      expect(ok(await post(s, `${V2}/secret/${secret.key}/reveal`, { continue: true })).record.secret_value).toBe('no mail');
    } finally {
      await s.close();
    }
  });

  it('§9.34, 46: the lock outlasts the window (fake clock); the secret expires after the TTL, the receipt after 2 × TTL', async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = await listenApp(
      'memory',
      env({ INCOMING_RATE_LIMIT_MAX_PER_IP: '2', INCOMING_RATE_LIMIT_WINDOW: '60', INCOMING_RATE_LIMIT_LOCKOUT: '600', INCOMING_DEFAULT_TTL: '3600' }),
      { now: () => now },
    );
    try {
      const { receipt } = ok(await submit(s, { secret: 'x', recipient: SECURITY })).record;
      ok(await submit(s, { secret: 'x', recipient: SECURITY }));
      now += 120_000; // past the window, inside the lockout
      const refused = await submit(s, { secret: 'x', recipient: SECURITY });
      expect(refused.status).toBe(429);
      expect(refused.body.retry_after).toBe(480);
      now += 481_000;
      ok(await submit(s, { secret: 'x', recipient: SECURITY }));
      now = Date.UTC(2026, 0, 1) + 3_601_000;
      expect(ok(await get(s, `${V2}/receipt/${receipt.key}`)).record.state).toBe('expired');
      now = Date.UTC(2026, 0, 1) + 7_201_000;
      expect((await get(s, `${V2}/receipt/${receipt.key}`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('§9.36, 39: two instances share the counters, the web form too; unknown digests make no recipient counters', async () => {
    const shared = await makePrefixedRedisStore();
    const second = await makePrefixedRedisStore(shared.prefix);
    const limits = env({ INCOMING_RATE_LIMIT_MAX_PER_IP: '3' });
    const a = await listenApp('redis', limits, { store: shared.store });
    const b = await listenApp('redis', limits, { store: second.store });
    try {
      expectError(await submit(a, { secret: 'x', recipient: 'f'.repeat(64) }), 422, form('Invalid recipient', 'recipient'));
      expect((await dumpValues(shared.store.redis, `${shared.prefix}incoming:*rcpt*`)).keys).toEqual([]);
      const page = await send(b, 'POST', '/incoming', { body: `recipient=${SECURITY}&secret=x`, contentType: 'application/x-www-form-urlencoded' });
      expect(page.status).toBe(200); // fetch follows the 303 to the success page
      expect(page.text).toContain('Reference ID');
      expect((await submit(a, { secret: 'x', recipient: SECURITY })).status).toBe(200);
      expect((await submit(b, { secret: 'x', recipient: SECURITY })).status).toBe(429);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('§9.47: one submit → ots_incoming_received_total +1, ots_secrets_created_total +1, one event without keys, address, memo or value', async () => {
    const seen: unknown[] = [];
    const s = await listenApp('memory', env({ METRICS_PORT: '0' }), { events: { incomingReceived: (event) => seen.push(event) } });
    try {
      const { receipt, secret } = ok(await submit(s, { secret: 'counted value', recipient: SECURITY, memo: 'counted memo' })).record;
      const metrics = await (await fetch(s.app.metricsUrl!)).text();
      expect(metrics).toMatch(/^ots_incoming_received_total 1$/m);
      expect(metrics).toMatch(/^ots_secrets_created_total 1$/m);
      expect(seen).toEqual([{ receiptShortid: receipt.key.slice(0, 8), recipientDigest: SECURITY, displayName: 'Security Team', created: receipt.created, expires: receipt.created + 604800 }]);
      const text = JSON.stringify(seen);
      for (const hidden of [receipt.key, secret.key, 'security@example.com', 'counted memo', 'counted value']) expect(text).not.toContain(hidden);
    } finally {
      await s.close();
    }
  });

  it('§8.1: under a sub-path the API answers and every link starts with the base', async () => {
    const s = await listenApp('memory', env({ OTS_PUBLIC_URL: 'https://secrets.example.com/ots' }));
    try {
      expect(ok(await get(s, `/ots${API}/config`)).config.enabled).toBe(true);
      const { secret } = ok(await submit(s, { secret: 'sub', recipient: SECURITY }, {})).record;
      await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
      expect(sink.mails[0]!.text).toContain(`https://secrets.example.com/ots/secret/${secret.key}`);
      const page = await send(s, 'POST', '/ots/incoming', { body: `recipient=${SECURITY}&secret=x`, contentType: 'application/x-www-form-urlencoded' });
      expect(page.text).toContain('href="/ots/receipt/');
    } finally {
      await s.close();
    }
  });
});
