// Webhooks on each Redis topology CI runs (single, Cluster, Sentinel) and on the memory store: the app as it listens,
// the instance-wide endpoint and an account's own, each signed with its own secret and verified by the
// `standardwebhooks` package. (test/webhooks/ holds the end-to-end suites: every door, instances, dead letters.)
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSigningSecret } from '../../src/webhooks/signing.js';
import { startReceiver, waitFor, type Receiver } from '../webhooks/receiver.js';
import { ALICE, basic, STORE_KINDS } from '../support/app.js';
import { listenApp, type SocketApp } from './socket.js';

describe.each(STORE_KINDS)('webhooks (%s store)', (kind) => {
  let instance: Receiver;
  let account: Receiver;
  let s: SocketApp;
  const [instanceSecret, accountSecret] = [newSigningSecret(), newSigningSecret()];

  beforeAll(async () => {
    [instance, account] = await Promise.all([startReceiver(), startReceiver()]);
    s = await listenApp(kind, { WEBHOOK_URL: instance.url, WEBHOOK_SECRET: instanceSecret, WEBHOOK_EVENTS: 'secret.revealed,secret.burned' });
    await s.store.webhooks.targets.set(ALICE.email, { url: account.url, secret: accountSecret, created: 1 });
  });
  afterAll(async () => {
    await s?.close();
    await Promise.all([instance?.close(), account?.close()]);
  });

  const post = async (path: string, body: unknown, auth = true) => {
    const res = await fetch(`${s.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: basic(ALICE) } : {}) },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { record: { receipt: { identifier: string }; secret: { identifier: string } } };
  };
  const received = (r: Receiver, secret: string) =>
    r.posts.map((p) => new Webhook(secret).verify(p.body, p.headers as Record<string, string>) as { type: string; data: { shortid: string; custid: string } });

  it('the instance-wide endpoint gets the events it asked for; the account endpoint every event of its own secrets', async () => {
    const mine = await post('/api/v2/secret/conceal', { secret: { secret: 'alice secret' } });
    await post(`/api/v2/secret/${mine.record.secret.identifier}/reveal`, { continue: true });
    const guest = await post('/api/v3/guest/secret/conceal', { secret: { secret: 'guest secret' } }, false);
    await post(`/api/v3/guest/receipt/${guest.record.receipt.identifier}/burn`, { continue: true }, false);
    const [mineId, guestId] = [mine.record.receipt.identifier.slice(0, 8), guest.record.receipt.identifier.slice(0, 8)];

    await waitFor('the instance-wide events', () => instance.posts.length >= 2);
    await waitFor('the account events', () => account.posts.length >= 2);
    expect(received(instance, instanceSecret).map((p) => `${p.type} ${p.data.shortid}`).sort()).toEqual([`secret.burned ${guestId}`, `secret.revealed ${mineId}`].sort());
    expect(received(account, accountSecret).map((p) => `${p.type} ${p.data.shortid} ${p.data.custid}`)).toEqual([
      `secret.created ${mineId} ${ALICE.email}`,
      `secret.revealed ${mineId} ${ALICE.email}`,
    ]);
    // Each endpoint's posts are signed with its own secret only.
    expect(() => received(account, instanceSecret)).toThrow();
  });

  it('an API caller cannot make the server post anywhere: endpoint fields in a request are ignored', async () => {
    const elsewhere = await startReceiver();
    try {
      const url = `${elsewhere.url}/steal`;
      const made = await post('/api/v2/secret/conceal', { secret: { secret: 'x', webhook_url: url, callback_url: url, webhook: url }, webhook_url: url });
      await post(`/api/v2/secret/${made.record.secret.identifier}/reveal`, { continue: true, webhook_url: url });
      const shortid = made.record.receipt.identifier.slice(0, 8);
      // By the time the operator's endpoints have both events, a post elsewhere would have been made too.
      await waitFor('the account endpoint got the reveal', () => received(account, accountSecret).some((p) => p.type === 'secret.revealed' && p.data.shortid === shortid));
      await waitFor('the instance endpoint got the reveal', () => received(instance, instanceSecret).some((p) => p.data.shortid === shortid));
      expect(elsewhere.posts).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });
});
