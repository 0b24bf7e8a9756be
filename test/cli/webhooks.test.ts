// `admin webhook …` and `admin webhooks …` as an operator runs them: the compiled CLI in a child process, against the
// test Redis, checked through a store and a server app that share its key prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { INSTANCE_TARGET, type QueuedEvent } from '../../src/domain/webhook-queue.js';
import type { Store } from '../../src/domain/store.js';
import { ensureBuilt, runBuilt, type RunResult } from '../e2e/built.js';
import { basic, makeApp, makeStore, redisUrl, uniquePrefix, type TestApp } from '../support/app.js';

const SECRET_LINE = /^whsec_[A-Za-z0-9+/]{43}=\n$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('admin webhook and webhooks (built, against Redis)', () => {
  let t: TestApp;
  let store: Store;
  let env: Record<string, string>;
  const admin = (...args: string[]) => runBuilt('cli/admin.js', args, env);

  /** An account made by the CLI itself; answers its token. */
  async function account(email: string): Promise<string> {
    const made = await admin('account', 'create', email);
    expect(made.code, made.stderr).toBe(0);
    return made.stdout.trim();
  }

  /** A v2 secret created by `email` through the API: its receipt's shortid. */
  async function conceal(email: string, token: string): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v2/secret/conceal',
      headers: { authorization: basic({ email, token }) },
      payload: { secret: { secret: 'webhook me', ttl: 3600 } },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().record.receipt.shortid as string;
  }

  /** The new entries of these receipts, now held by `consumer`; any other new entry is acknowledged out of the way. */
  async function take(consumer: string, shortids: string[]): Promise<QueuedEvent[]> {
    const all = await store.webhooks.queue.takeNew(consumer, 1000);
    for (const other of all.filter((e) => !shortids.includes(e.facts.shortid))) await store.webhooks.queue.ack(other);
    return all.filter((e) => shortids.includes(e.facts.shortid));
  }

  function lines(result: RunResult): string[] {
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trimEnd().split('\n');
  }

  beforeAll(async () => {
    await ensureBuilt();
    const prefix = uniquePrefix();
    env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix };
    store = await makeStore('redis', undefined, prefix);
    t = await makeApp('redis', {}, { store });
  });
  afterAll(() => t?.close());

  it('set prints only a new whsec_ signing secret, stored with the URL; setting again replaces both', async () => {
    await account('wanda@example.com');
    const before = Math.floor(Date.now() / 1000);
    const first = await admin('webhook', 'set', 'Wanda@Example.com', 'https://hooks.example.com/ots?team=7');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(SECRET_LINE);
    expect(first.stderr).toMatch(/^set the endpoint of wanda@example\.com; the signing secret above is shown once/);
    const secret = first.stdout.trim();
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    // A secret the reference package takes as a key.
    expect(() => new Webhook(secret).sign('msg_1', new Date(), '{}')).not.toThrow();
    const stored = await store.webhooks.targets.get('wanda@example.com');
    expect(stored).toEqual({ url: 'https://hooks.example.com/ots?team=7', secret, created: expect.any(Number) });
    expect(stored!.created).toBeGreaterThanOrEqual(before);
    expect(stored!.created).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

    const again = await admin('webhook', 'set', 'wanda@example.com', 'http://127.0.0.1:8080/hook');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(SECRET_LINE);
    expect(again.stdout.trim()).not.toBe(secret);
    expect(again.stderr).toMatch(/^replaced the endpoint of wanda@example\.com/);
    expect(await store.webhooks.targets.get('wanda@example.com')).toMatchObject({ url: 'http://127.0.0.1:8080/hook', secret: again.stdout.trim() });
  });

  it('set needs an existing account', async () => {
    const result = await admin('webhook', 'set', 'nobody@example.com', 'https://hooks.example.com/');
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'ots-admin: no account nobody@example.com\n' });
    expect(await store.webhooks.targets.get('nobody@example.com')).toBeNull();
  });

  it('show prints the url and the creation date, never the secret; remove removes it', async () => {
    await account('xavier@example.com');
    const secret = (await admin('webhook', 'set', 'xavier@example.com', 'https://hooks.example.com/x')).stdout.trim();
    const shown = await admin('webhook', 'show', 'xavier@example.com');
    const [url, created, ...rest] = lines(shown);
    expect(url).toBe('url\thttps://hooks.example.com/x');
    expect(created).toMatch(/^created\t/);
    expect(created!.split('\t')[1]).toMatch(ISO);
    expect(rest).toEqual([]);
    expect(shown.stderr).toBe('');
    expect(`${shown.stdout}${shown.stderr}`).not.toContain(secret.slice('whsec_'.length, 20));

    const removed = await admin('webhook', 'remove', 'xavier@example.com');
    expect(removed).toEqual({ code: 0, stdout: '', stderr: 'removed the webhook of xavier@example.com\n' });
    expect(await store.webhooks.targets.get('xavier@example.com')).toBeNull();
    expect(await admin('webhook', 'show', 'xavier@example.com')).toEqual({ code: 1, stdout: '', stderr: 'ots-admin: no webhook for xavier@example.com\n' });
    expect((await admin('webhook', 'remove', 'xavier@example.com')).code).toBe(1);
  });

  it('account delete removes the account\'s endpoint too', async () => {
    await account('yara@example.com');
    await admin('webhook', 'set', 'yara@example.com', 'https://hooks.example.com/y');
    const deleted = await admin('account', 'delete', 'yara@example.com');
    expect(deleted).toEqual({ code: 0, stdout: '', stderr: 'deleted yara@example.com\nremoved the webhook of yara@example.com\n' });
    expect(await store.webhooks.targets.get('yara@example.com')).toBeNull();
  });

  it('status, dead and replay: an account event taken, dead-lettered, listed and queued again with its message id', async () => {
    const token = await account('zed@example.com');
    // Port 9 (discard) on loopback: nothing listens, so no delivery can succeed meanwhile.
    await admin('webhook', 'set', 'zed@example.com', 'http://127.0.0.1:9/hook');
    const shortid = await conceal('zed@example.com', token);

    const queued = Object.fromEntries(lines(await admin('webhooks', 'status')).map((l) => l.split('\t') as [string, string]));
    expect(Number(queued.queued)).toBeGreaterThanOrEqual(1);
    expect(Number(queued.oldest_seconds)).toBeGreaterThanOrEqual(0);

    const taken = await take('cli-test', [shortid]);
    expect(taken.map((e) => [e.type, e.target])).toEqual([['secret.created', 'zed@example.com']]);
    const status = lines(await admin('webhooks', 'status'));
    expect(status.slice(0, 4).map((l) => l.split('\t')[0])).toEqual(['queued', 'pending', 'oldest_seconds', 'dead_letters']);
    expect(status.find((l) => l.startsWith('consumer\tcli-test\t'))).toMatch(/^consumer\tcli-test\t\d+\t\d+$/);
    expect(Number(status[1]!.split('\t')[1])).toBeGreaterThanOrEqual(1);

    await store.webhooks.queue.deadLetter(taken[0]!, 'HTTP 500\tand a\nsecond line');
    const dead = lines(await admin('webhooks', 'dead'));
    const line = dead.find((l) => l.includes(`\t${shortid}\t`));
    expect(line).toBeDefined();
    const [messageId, type, id, target, failedAt, reason, ...more] = line!.split('\t');
    expect([messageId, type, id, target, reason, more]).toEqual([taken[0]!.messageId, 'secret.created', shortid, 'account', 'HTTP 500 and a second line', []]);
    expect(failedAt).toMatch(ISO);
    expect(Number(lines(await admin('webhooks', 'status'))[3]!.split('\t')[1])).toBeGreaterThanOrEqual(1);

    const replayed = await admin('webhooks', 'replay');
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(Number(replayed.stdout.trim())).toBeGreaterThanOrEqual(1);
    expect(await store.webhooks.queue.deadLetters(100)).toEqual([]);
    const again = await take('cli-test', [shortid]);
    expect(again.map((e) => e.messageId)).toEqual([taken[0]!.messageId]);
    expect((await admin('webhooks', 'dead')).stderr).toBe('(no dead letters)\n');
    expect((await admin('webhooks', 'replay')).stdout).toBe('0\n');
    for (const e of again) await store.webhooks.queue.ack(e);
  });

  it('replay --max and dead --max take the oldest first, at most that many', async () => {
    const token = await account('max@example.com');
    await admin('webhook', 'set', 'max@example.com', 'http://127.0.0.1:9/hook');
    const ids = [await conceal('max@example.com', token), await conceal('max@example.com', token), await conceal('max@example.com', token)];
    const taken = await take('cli-max', ids);
    expect(taken).toHaveLength(3);
    for (const e of taken) await store.webhooks.queue.deadLetter(e, 'timeout');
    const two = await admin('webhooks', 'dead', '--max', '2');
    expect(lines(two)).toHaveLength(2);
    expect(two.stderr).toBe('(the oldest 2 of 3 dead letters; --max shows more)\n');
    expect((await admin('webhooks', 'dead', '--max', '3')).stderr).toBe('');
    expect((await admin('webhooks', 'replay', '--max=2')).stdout).toBe('2\n');
    expect((await store.webhooks.queue.deadLetters(100)).map((d) => d.event.facts.shortid)).toEqual([ids[2]]);
    expect((await admin('webhooks', 'replay')).stdout).toBe('1\n');
    for (const e of await take('cli-max', ids)) await store.webhooks.queue.ack(e);
  });

  it('an instance-wide dead letter is listed as target instance', async () => {
    const token = await account('ivy@example.com');
    await admin('webhook', 'set', 'ivy@example.com', 'http://127.0.0.1:9/hook');
    const shortid = await conceal('ivy@example.com', token);
    const [event] = await take('cli-instance', [shortid]);
    await store.webhooks.queue.deadLetter({ ...event!, target: INSTANCE_TARGET }, 'HTTP 302');
    expect(lines(await admin('webhooks', 'dead')).some((l) => l.split('\t')[3] === 'instance')).toBe(true);
    expect(Number((await admin('webhooks', 'replay')).stdout)).toBeGreaterThanOrEqual(1);
    for (const e of await take('cli-instance', [shortid])) await store.webhooks.queue.ack(e);
  });

  it('a URL with a user or password is refused without echoing it', async () => {
    const result = await admin('webhook', 'set', 'x@example.com', 'https://ops:hunter2@hooks.example.com/');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('must not hold a user or password');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('a usage error shows the webhook form that applies', async () => {
    expect((await admin('webhook', 'set', 'x@example.com')).stderr).toBe(
      'ots-admin: missing <url>\n' +
        'Usage: npm run --silent admin -- webhook set <email> <url>\n' +
        'All commands: npm run --silent admin -- --help\n',
    );
  });

  it('--help lists the webhook commands', async () => {
    const result = await runBuilt('cli/admin.js', ['--help'], {});
    for (const form of ['webhook set <email> <url>', 'webhook show <email>', 'webhook remove <email>', 'webhooks status', 'webhooks dead [--max <n>]', 'webhooks replay [--max <n>]']) {
      expect(result.stdout).toContain(`  ${form}  `);
    }
  });

  it.concurrent.each([[['webhooks', 'status']], [['webhook', 'set', 'x@example.com', 'https://hooks.example.com/']], [['webhooks', 'replay']]])(
    'without Redis, %j says webhooks need it and exits 78',
    async (args) => {
      const result = await runBuilt('cli/admin.js', args, {});
      expect(result.code).toBe(78);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('no Redis is configured');
      expect(result.stderr).toContain('WEBHOOK_URL');
    },
  );

  it('an unreachable Redis is a clear one-line failure', async () => {
    const result = await runBuilt('cli/admin.js', ['webhooks', 'status'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ots-admin: cannot reach redis redis:\/\/127\.0\.0\.1:1: .*\n$/);
  });
});
