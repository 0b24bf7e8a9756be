// Replays of the KeePass plugin (and its v1 fallback) and the official Python SDK against the listening server
// (Redis, 127.0.0.1), through our own drivers in ./new-clients.ts: contract tests 100 and 102
// (docs/contracts/ots-v2-api.md §7.5, §7.8, §11.7). The CIPP extension and the macOS app speak HTTPS only: their
// replays run through nginx in ./reverse-proxy.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../support/app.js';
import { listen, type ListeningApp } from './listening.js';
import { ClientError, keepassShare, pythonSdkConceal, type KeePassConfig } from './new-clients.js';

describe('the KeePass plugin and the Python SDK replayed against the listening server (Redis)', () => {
  let t: ListeningApp;
  let keepass: KeePassConfig;
  beforeAll(async () => {
    t = await listen();
    // The public URL names the server's own host: a client that sends it as share_domain gets no share domain back.
    keepass = { apiEndpoint: `${t.origin}/api/v2/secret/conceal`, apiUsername: ALICE.email, apiKey: ALICE.token, shareDomain: '', defaultTtlSeconds: 3600 };
  });
  afterAll(() => t?.close());

  const reveal = async (key: string) => {
    const res = await fetch(`${t.origin}/api/v2/secret/${key}/reveal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"continue":true}' });
    return ((await res.json()) as { record: { secret_value: string } }).record.secret_value;
  };

  it('100 KeePass v2: Basic email, ttl "3600" as a string, share_domain "" → key = identifier, secret_ttl 3600, link on the endpoint host', async () => {
    const r = await keepassShare(keepass, 'x', {});
    const receipt = await (await fetch(`${t.origin}/api/v2/receipt/${r.metadataKey}`, { headers: { authorization: `Basic ${Buffer.from(`${ALICE.email}:${ALICE.token}`).toString('base64')}` } })).json();
    expect((receipt as { record: { secret_ttl: number } }).record.secret_ttl).toBe(3600);
    expect(r.shareUrl).toBe(`${t.origin}/secret/${r.secretKey}`);
    expect((await fetch(r.shareUrl)).status).toBe(200);
    expect(await reveal(r.secretKey)).toBe('x');
    console.log(`KeePass v2 replay: POST /api/v2/secret/conceal → ${r.shareUrl}`);
  });

  it('100 KeePass v2 with the server host as share domain (any spelling) → record.share_domain null: the link stays on the server', async () => {
    for (const shareDomain of ['secrets.example.com', 'https://SECRETS.example.com/ots', 'secrets.example.com:443']) {
      const r = await keepassShare({ ...keepass, shareDomain }, 'é"\\\n\t', {});
      expect(r.serverShareDomain, shareDomain).toBe('');
      // Then the plugin falls back to its configured share domain, reduced to a bare host (so no sub-path: §11.4).
      expect(r.shareUrl).toMatch(new RegExp(`^https://secrets\\.example\\.com(:443)?/secret/${r.secretKey}$`, 'i'));
      expect(await reveal(r.secretKey)).toBe('é"\\\n\t');
    }
  });

  it('100 KeePass v2 anonymous (both fields blank → Basic Og==) works; a wrong key shows the error text and field', async () => {
    const r = await keepassShare({ ...keepass, apiUsername: '', apiKey: '' }, 'anon', {});
    expect(await reveal(r.secretKey)).toBe('anon');
    const err = await keepassShare({ ...keepass, apiKey: 'wrong' }, 'never', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).message).toBe('API returned 401. Not authorized');
  });

  it('100 KeePass v1 fallback: secret=x&ttl=3600 to /api/v1/share → secret_key and metadata_key', async () => {
    const r = await keepassShare({ ...keepass, apiEndpoint: `${t.origin}/api/v1/share` }, 'a b&c=d+é', {});
    expect(r.secretKey).toMatch(/^[0-9a-z]+$/);
    expect(r.metadataKey).toMatch(/^[0-9a-z]+$/);
    expect(await reveal(r.secretKey)).toBe('a b&c=d+é');
    console.log(`KeePass v1 replay: POST /api/v1/share → secret_key ${r.secretKey.slice(0, 6)}…, metadata_key ${r.metadataKey.slice(0, 6)}…`);
  });

  it('102 Python SDK: Basic ur…:token, {"secret":{"secret":"hunter2","ttl":3600,"passphrase":"pw12"}} → receipt and secret identifiers', async () => {
    const ids = (await t.app.ots.accounts.get(ALICE.email)) as { customerId: string };
    const r = await pythonSdkConceal({ baseUrl: t.origin, customer: ids.customerId, apiToken: ALICE.token }, 'hunter2', { ttl: 3600, passphrase: 'pw12' }, {});
    expect(r.receiptIdentifier).toMatch(/^[0-9a-z]+$/);
    expect(r.secretIdentifier).toMatch(/^[0-9a-z]+$/);
    expect(r.body.record.receipt.custid).toBe(ALICE.email);
    expect(r.body.record.secret.has_passphrase).toBe(true);
    console.log(`Python SDK replay (as far as known): receipt ${r.receiptIdentifier.slice(0, 6)}…, secret ${r.secretIdentifier.slice(0, 6)}…`);
  });
});
