// Recipient email: an account shares a secret with `recipient`, and the link arrives at a local SMTP sink.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, get, ok, postForm, reveal, share, type Receipt } from '../api/wire.js';
import { ALICE, makeApp, type TestApp } from '../support/app.js';
import { dumpValues, makePrefixedRedisStore } from '../support/redis-inspect.js';
import { freePort } from '../support/redis-server.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const FROM = 'Secrets <ots@example.com>';
const RECIPIENT = 'bob.recipient@example.org';
const link = (r: Receipt) => `https://secrets.example.com/secret/${r.secret_key}`;

/** Nothing a log line carries may contain the address, the link or the secret key. */
function expectLogsFree(t: TestApp, ...secrets: string[]): void {
  const all = t.logs.join('');
  for (const s of secrets) expect(all).not.toContain(s);
}

describe('recipient email with SMTP_URL (Redis store, local SMTP sink)', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // trace: even the most verbose logging never shows the address or the link.
    t = await makeApp('redis', { SMTP_URL: sink.url, SMTP_FROM: FROM, LOG_LEVEL: 'trace' });
  });
  afterEach(() => {
    sink.release();
    sink.mails.length = 0;
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('emails the link to the recipient; the link opens the secret, which is still there to reveal', async () => {
    const receipt = await share(t, { secret: 'for bob only', recipient: RECIPIENT, passphrase: 'bobs-pass' }, ALICE);
    expect(receipt.recipient).toEqual(['bo*****@e*****.org']);

    await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
    const [mail] = sink.mails;
    expect(mail!.from).toBe('ots@example.com');
    expect(mail!.to).toEqual([RECIPIENT]);
    expect(mail!.text).toMatch(/^From: Secrets <ots@example\.com>$/m);
    expect(mail!.text).toMatch(/^To: bob\.recipient@example\.org$/m);
    expect(mail!.text).toMatch(/^Subject: A secret has been shared with you$/m);
    expect(mail!.text).toContain(`${ALICE.email} has shared a secret with you.`);
    expect(mail!.text).toContain(link(receipt));
    expect(mail!.text).toContain('protected by a passphrase');
    expect(mail!.text).not.toContain('for bob only'); // a link, never the secret
    expect(mail!.text).not.toContain('bobs-pass');

    // The link is the recipient's page, which does not consume the secret; reveal still works once.
    const page = await get(t, new URL(link(receipt)).pathname);
    expect(page.statusCode).toBe(200);
    expect(ok<{ value: string }>(await reveal(t, receipt.secret_key!, { passphrase: 'bobs-pass' })).value).toBe('for bob only');

    expectLogsFree(t, RECIPIENT, receipt.secret_key!, link(receipt));
  });

  it('answers the share before the mail server has accepted the message', async () => {
    sink.hold(); // the mail server takes the message but does not answer yet
    const receipt = await share(t, { secret: 'slow mail', recipient: RECIPIENT }, ALICE);
    expect(receipt.state).toBe('new');
    expect(sink.mails).toHaveLength(0);
    sink.release();
    await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
    expect(sink.mails[0]!.text).toContain(link(receipt));
  });

  it('sends nothing for a share without a recipient, and refuses a recipient from an anonymous caller', async () => {
    await share(t, { secret: 'no recipient' }, ALICE);
    expectError(await postForm(t, '/api/v1/share', { secret: 'x', recipient: RECIPIENT }), 'An account is required to send emails.', 403);
    // A message to the sink would have been sent by now: the next one (a marker) arrives alone.
    await share(t, { secret: 'marker', recipient: 'marker@example.org' }, ALICE);
    await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
    expect(sink.mails[0]!.to).toEqual(['marker@example.org']);
  });
});

describe('recipient email failures', () => {
  it('a mail server that cannot be reached does not fail the share; the warning names neither address nor link', async () => {
    const closedPort = await freePort();
    const t = await makeApp('redis', { SMTP_URL: `smtp://127.0.0.1:${closedPort}`, SMTP_FROM: FROM });
    try {
      const receipt = await share(t, { secret: 'undeliverable', recipient: RECIPIENT }, ALICE);
      expect(receipt.recipient).toEqual(['bo*****@e*****.org']);
      await vi.waitFor(() => expect(t.logs.join('')).toContain('recipient email could not be sent'), { timeout: 5_000, interval: 50 });
      const warning = JSON.parse(t.logs.find((l) => l.includes('recipient email could not be sent'))!);
      expect(warning).toMatchObject({ level: 40, code: 'ESOCKET' });
      expectLogsFree(t, RECIPIENT, receipt.secret_key!, link(receipt));
    } finally {
      await t.close();
    }
  });

  it('SMTP_URL without SMTP_FROM is a configuration error', async () => {
    await expect(makeApp('memory', { SMTP_URL: 'smtp://127.0.0.1:2525' })).rejects.toThrow(/SMTP_FROM is required when SMTP_URL is set/);
  });

  it('a malformed SMTP_URL is refused without echoing it (it may hold a password)', async () => {
    const bad = 'http://user:hunter2@mail.example.com';
    await expect(makeApp('memory', { SMTP_URL: bad, SMTP_FROM: FROM })).rejects.toThrow(/SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    await expect(makeApp('memory', { SMTP_URL: bad, SMTP_FROM: FROM })).rejects.not.toThrow(/hunter2/);
  });
});

describe('recipient without SMTP_URL (Redis store)', () => {
  it('stores the recipient obfuscated only and sends nothing', async () => {
    const sink = await startSmtpSink(); // listening, but the server is not told about it
    const { store, prefix } = await makePrefixedRedisStore();
    const t = await makeApp('redis', {}, { store });
    try {
      const receipt = await share(t, { secret: 'kept quiet', recipient: RECIPIENT }, ALICE);
      expect(receipt.recipient).toEqual(['bo*****@e*****.org']);
      expect(ok<Receipt>(await get(t, `/api/v1/private/${receipt.metadata_key}`, ALICE)).recipient).toEqual(['bo*****@e*****.org']);
      const { bytes } = await dumpValues(store.redis, `${prefix}*`);
      expect(bytes.includes(Buffer.from('bo*****@e*****.org'))).toBe(true);
      expect(bytes.includes(Buffer.from(RECIPIENT))).toBe(false);
      expect(t.logs.join('')).not.toContain('recipient email');
      expect(sink.mails).toEqual([]);
    } finally {
      await t.close();
      await sink.close();
    }
  });
});
