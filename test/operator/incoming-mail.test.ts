// The incoming recipient's mail (docs/contracts/ots-incoming-api.md §8.11) end to end over real sockets: a submit
// to /api/incoming/secret, the mail caught by a real SMTP server on loopback, its link opened in the recipient's
// page and revealed exactly once. Prints the mail and the reveals, as the issue asks to show.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listenApp, post, type SocketApp } from '../api/socket.js';
import { revealedValue } from '../web/helpers.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

describe('incoming mail through a real SMTP server (Redis store)', () => {
  let sink: SmtpSink;
  let s: SocketApp;
  beforeAll(async () => {
    sink = await startSmtpSink();
    s = await listenApp('redis', {
      SMTP_URL: sink.url,
      SMTP_FROM: 'Secrets <ots@example.com>',
      INCOMING_RECIPIENTS: 'security@example.com,Security Team',
      LOG_LEVEL: 'trace',
    });
  });
  afterAll(async () => {
    await s?.close();
    await sink?.close();
  });

  it('mails the link to the recipient only; the link reveals the secret once; no log line names the address', async () => {
    const config = (await (await fetch(`${s.origin}/api/incoming/config`)).json()) as { config: { recipients: { digest: string }[] } };
    const digest = config.config.recipients[0]!.digest;
    const made = await post(s, '/api/incoming/secret', { secret: { secret: 'vendor API key 8f3a', recipient: digest, memo: 'Ticket #4711' } });
    expect(made.status).toBe(200);
    const receiptKey: string = made.body.record.receipt.key;

    await vi.waitFor(() => expect(sink.mails).toHaveLength(1), { timeout: 5_000, interval: 50 });
    const mail = sink.mails[0]!;
    const body = mail.text.slice(mail.text.search(/\r?\n\r?\n/)).trim();
    console.log(`--- mail to ${mail.to.join(', ')} ---\n${mail.text.match(/^Subject: .*$/m)![0]}\n\n${body}\n---`);
    expect(mail.to).toEqual(['security@example.com']);
    const link = /https:\/\/secrets\.example\.com\/secret\/([0-9a-z]+)/.exec(mail.text);
    expect(link).not.toBeNull();
    expect(mail.text).toContain('Memo: Ticket #4711');
    expect(mail.text).not.toContain(receiptKey);
    expect(mail.text).not.toContain('vendor API key');

    // The recipient's page behind the link: GET shows a button and consumes nothing; the POST reveals.
    const path = new URL(link![0]).pathname;
    expect((await fetch(`${s.origin}${path}`)).status).toBe(200);
    const first = await fetch(`${s.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const value = revealedValue(await first.text());
    console.log(`first reveal: ${first.status} "${value}"`);
    expect(value).toBe('vendor API key 8f3a');
    const second = await fetch(`${s.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    console.log(`second reveal: ${second.status}`);
    expect(second.status).toBe(404);

    const logs = s.logs.join('');
    for (const hidden of ['security@example.com', link![1]!, 'vendor API key', 'Ticket #4711']) expect(logs).not.toContain(hidden);
  });
});
