// Every event from every door: v1, v2 and v3 (Basic and guest), the web pages and the incoming API, each delivered
// to a real receiver on loopback by the server as users start it (startServer, the library entry `npm start` shares),
// every signature verified by the `standardwebhooks` package, every payload valid against the published schema, and
// none carrying a key, a value, a passphrase or a memo. On Redis and on the memory store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Webhook } from 'standardwebhooks';
import { startServer, type RunningServer } from '../../src/index.js';
import { WEBHOOK_PAYLOAD_SCHEMA } from '../../src/webhooks/payload.js';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { startSmtpSink, type SmtpSink } from '../operator/smtp-sink.js';
import { ALICE, basic, HIGH_RATE_LIMITS, redisUrl, STORE_KINDS, TEST_MASTER_KEY, uniquePrefix } from '../support/app.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

interface Payload {
  type: string;
  timestamp: string;
  data: { shortid: string; custid: string; state: string; ttl: number; created: number; updated: number; expires: number };
}

const SECRET_VALUE = 'the value itself';
const PASSPHRASE = 'a passphrase of mine';
const MEMO = 'memo for the recipient';

describe.each(STORE_KINDS)('webhooks: every event from every API version and the web (%s store)', (kind) => {
  let receiver: Receiver;
  let server: RunningServer;
  let sink: SmtpSink;
  const signingSecret = newSigningSecret();
  const validate = new Ajv2020({ strict: false }).compile(WEBHOOK_PAYLOAD_SCHEMA);

  beforeAll(async () => {
    receiver = await startReceiver();
    sink = await startSmtpSink();
    server = await startServer({
      accounts: [ALICE],
      env: {
        ...(kind === 'redis' ? { REDIS_URL: redisUrl(), REDIS_PREFIX: uniquePrefix(), OTS_SECRET: TEST_MASTER_KEY } : {}),
        ...HIGH_RATE_LIMITS,
        TTL_MIN: '1',
        WEBHOOK_URL: `${receiver.url}/hooks/ots`,
        WEBHOOK_SECRET: signingSecret,
        WEBHOOK_EXPIRY_SCAN: '1',
        SMTP_URL: sink.url,
        SMTP_FROM: 'Secrets <ots@example.com>',
        INCOMING_RECIPIENTS: 'security@example.com,Security Team',
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await sink?.close();
  });

  /** The string at `path` (`record.receipt.identifier`) of a JSON answer. */
  const at = (body: unknown, path: string): string =>
    String(path.split('.').reduce<unknown>((node, name) => (node as Record<string, unknown> | undefined)?.[name], body));

  /** Every secret and receipt key the server answered in this suite: no post may carry one. */
  const keysSeen = new Set<string>();
  const remember = (text: string) => (text.match(/\b[0-9a-z]{31}\b/g) ?? []).forEach((key) => keysSeen.add(key));

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    remember(text);
    return { status: res.status, location: res.headers.get('location'), json: () => JSON.parse(text) as unknown };
  };
  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
  const asAlice = { authorization: basic(ALICE) };
  const sameOrigin = { 'sec-fetch-site': 'same-origin' };

  /** The verified payloads received so far (a post whose signature fails verification fails the test). */
  const payloads = (): Payload[] =>
    receiver.posts.map((post) => new Webhook(signingSecret).verify(post.body, post.headers as Record<string, string>) as Payload);
  const eventsOf = (metadataKey: string) =>
    payloads()
      .filter((p) => p.data.shortid === metadataKey.slice(0, 8))
      .map((p) => p.type);
  const expectEvents = async (metadataKey: string, types: string[]) => {
    await waitFor(`${types.join(', ')} for ${metadataKey.slice(0, 8)}`, () => types.every((t) => eventsOf(metadataKey).includes(t)));
    expect(eventsOf(metadataKey).sort()).toEqual([...types].sort());
  };

  /** v1 as its clients send it: form-encoded. */
  const v1 = async (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) => {
    const res = await form(`/api/v1${path}`, fields, headers);
    const text = await res.text();
    remember(text);
    return { status: res.status, body: JSON.parse(text) as unknown };
  };

  it('v1: share, generate, reveal and burn', async () => {
    const shared = (await v1('/share', { secret: SECRET_VALUE, passphrase: PASSPHRASE }, asAlice)).body;
    expect((await v1(`/secret/${at(shared, 'secret_key')}`, { passphrase: PASSPHRASE })).status).toBe(200);
    const generated = (await v1('/generate', {}, asAlice)).body;
    expect((await v1(`/private/${at(generated, 'metadata_key')}/burn`, {}, asAlice)).status).toBe(200);
    await expectEvents(at(shared, 'metadata_key'), ['secret.created', 'secret.revealed']);
    await expectEvents(at(generated, 'metadata_key'), ['secret.created', 'secret.burned']);
  });

  it.each([
    ['v2 with Basic', '/api/v2', asAlice],
    ['v2 as a guest', '/api/v2/guest', {}],
    ['v3 with Basic', '/api/v3', asAlice],
    ['v3 as a guest', '/api/v3/guest', {}],
  ])('%s: conceal, reveal, generate and burn', async (_name, base, headers) => {
    const concealed = (await call('POST', `${base}/secret/conceal`, { secret: { secret: SECRET_VALUE } }, headers)).json();
    const [secretKey, receiptKey] = [at(concealed, 'record.secret.identifier'), at(concealed, 'record.receipt.identifier')];
    expect((await call('POST', `${base}/secret/${secretKey}/reveal`, { continue: true }, headers)).status).toBe(200);
    const generated = (await call('POST', `${base}/secret/generate`, { secret: {} }, headers)).json();
    const burnKey = at(generated, 'record.receipt.identifier');
    expect((await call('POST', `${base}/receipt/${burnKey}/burn`, { continue: true }, headers)).status).toBe(200);
    await expectEvents(receiptKey, ['secret.created', 'secret.revealed']);
    await expectEvents(burnKey, ['secret.created', 'secret.burned']);
  });

  it('the web pages: the create form, the reveal and the burn', async () => {
    const made = await form('/', { secret: SECRET_VALUE, ttl: '3600' }, sameOrigin);
    expect(made.status).toBe(303);
    const receiptKey = made.headers.get('location')!.split('/').pop()!;
    const receiptPage = await (await fetch(`${server.url}/receipt/${receiptKey}`)).text();
    const secretKey = /\/secret\/([0-9a-z]+)/.exec(receiptPage)![1]!;
    [receiptKey, secretKey].forEach((key) => keysSeen.add(key));
    expect((await form(`/secret/${secretKey}`, {}, sameOrigin)).status).toBe(200);
    const burned = await form('/', { secret: 'to burn', ttl: '3600' }, sameOrigin);
    const burnKey = burned.headers.get('location')!.split('/').pop()!;
    expect((await form(`/receipt/${burnKey}/burn`, {}, sameOrigin)).status).toBeLessThan(400);
    await expectEvents(receiptKey, ['secret.created', 'secret.revealed']);
    await expectEvents(burnKey, ['secret.created', 'secret.burned']);
  });

  it('incoming: a submitted secret is created and received; the event names the recipient by digest and display name only', async () => {
    const config = (await call('GET', '/api/incoming/config')).json();
    const digest = at(config, 'config.recipients.0.digest');
    const sent = await call('POST', '/api/incoming/secret', { secret: { secret: SECRET_VALUE, recipient: digest, memo: MEMO } });
    expect(sent.status).toBe(200);
    const receiptKey = at(sent.json(), 'record.receipt.identifier');
    await expectEvents(receiptKey, ['secret.created', 'incoming.received']);
    const received = payloads().find((p) => p.type === 'incoming.received' && p.data.shortid === receiptKey.slice(0, 8))!;
    expect(received.data).toMatchObject({ recipient_digest: digest, display_name: 'Security Team', custid: 'anon', state: 'new' });
  });

  it('expiry: a secret left unread is reported expired once its TTL ends', async () => {
    const shared = (await v1('/share', { secret: SECRET_VALUE, ttl: '1' }, asAlice)).body;
    const metadataKey = at(shared, 'metadata_key');
    await waitFor('secret.expired', () => eventsOf(metadataKey).includes('secret.expired'), 10_000);
    const expired = payloads().find((p) => p.type === 'secret.expired' && p.data.shortid === metadataKey.slice(0, 8))!;
    expect(expired.data).toMatchObject({ state: 'expired', custid: ALICE.email, ttl: 1, expires: Number(at(shared, 'created')) + 1 });
  });

  it('every post is signed (verified above), valid against the schema, and carries no key, value, passphrase or memo', () => {
    expect(receiver.posts.length).toBeGreaterThan(20);
    expect(keysSeen.size).toBeGreaterThan(20);
    for (const post of receiver.posts) {
      expect(post.path).toBe('/hooks/ots');
      expect(post.headers['content-type']).toMatch(/^application\/json/);
      const payload = JSON.parse(post.body) as Payload;
      expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);
      expect(post.body).not.toContain(SECRET_VALUE);
      expect(post.body).not.toContain(PASSPHRASE);
      expect(post.body).not.toContain(MEMO);
      for (const key of keysSeen) expect(post.body).not.toContain(key);
      expect(post.body).not.toContain('security@example.com');
    }
    // A tampered body fails verification: the receiver's check is real.
    const post = receiver.posts[0]!;
    expect(() => new Webhook(signingSecret).verify(post.body.replace('"secret.', '"secrex.'), post.headers as Record<string, string>)).toThrow();
  });
});
