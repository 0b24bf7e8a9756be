// The signing secret `admin webhook set` prints once is the one the account's endpoint verifies with: a listening
// server on the same Redis delivers the account's events to the URL the CLI stored, signed with that secret.
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runBuilt } from '../e2e/built.js';
import { basic, makeApp, makeStore, redisUrl, uniquePrefix, type TestApp } from '../support/app.js';
import { startReceiver, waitFor, type Receiver } from '../webhooks/receiver.js';

describe('admin webhook set, then a server delivers (built CLI, Redis, a receiver on loopback)', () => {
  let t: TestApp;
  let receiver: Receiver;
  let origin = '';
  let env: Record<string, string>;
  const admin = (...args: string[]) => runBuilt('cli/admin.js', args, env);

  beforeAll(async () => {
    await ensureBuilt();
    const prefix = uniquePrefix();
    env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix };
    receiver = await startReceiver();
    t = await makeApp('redis', {}, { store: await makeStore('redis', undefined, prefix) });
    await t.app.listen({ host: '127.0.0.1', port: 0 }); // listening starts the deliverer
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('posts the account\'s secret.created to the stored URL, verified with the printed secret; status then shows it delivered', async () => {
    const token = (await admin('account', 'create', 'olga@example.com')).stdout.trim();
    const set = await admin('webhook', 'set', 'olga@example.com', `${receiver.url}/olga?team=7`);
    expect(set.code, set.stderr).toBe(0);
    const secret = set.stdout.trim();

    const res = await fetch(`${origin}/api/v2/secret/conceal`, {
      method: 'POST',
      headers: { authorization: basic({ email: 'olga@example.com', token }), 'content-type': 'application/json' },
      body: JSON.stringify({ secret: { secret: 'for olga', ttl: 600 } }),
    });
    expect(res.status).toBe(200);
    const shortid = ((await res.json()) as { record: { receipt: { shortid: string } } }).record.receipt.shortid;

    await waitFor('the account endpoint to get the post', () => receiver.posts.some((p) => p.path === '/olga?team=7'));
    const post = receiver.posts.find((p) => p.path === '/olga?team=7')!;
    const event = new Webhook(secret).verify(post.body, post.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(event).toMatchObject({ type: 'secret.created', data: { shortid, custid: 'olga@example.com', state: 'new', ttl: 600 } });
    expect(() => new Webhook(secret.replace(/.{4}=$/, 'AAAA=')).verify(post.body, post.headers as Record<string, string>)).toThrow();

    await waitFor('the queue to empty', async () => (await admin('webhooks', 'status')).stdout.startsWith('queued\t0\n'));
    const status = (await admin('webhooks', 'status')).stdout.split('\n');
    expect(status).toContain('dead_letters\t0');
    expect(status).toContain('oldest_seconds\t0');
    expect(status.some((l) => /^consumer\t[^\t]+\t0\t\d+$/.test(l))).toBe(true);
  });
});
