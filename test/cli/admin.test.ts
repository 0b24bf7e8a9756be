// The admin command line as an operator runs it: the compiled CLI in a child process, against the test Redis,
// checked through a server app that shares its key prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, run, runBuilt, type RunResult } from '../e2e/built.js';
import { basic, makeApp, makeStore, redisUrl, uniquePrefix, type TestApp } from '../support/app.js';

const STACK_LINE = /^\s+at /m;

describe('admin CLI (built, against Redis)', () => {
  let t: TestApp;
  let env: Record<string, string>;
  const admin = (...args: string[]) => runBuilt('cli/admin.js', args, env);

  /** What a client holding these credentials is told by /authcheck: true when they are accepted. */
  async function authenticates(email: string, token: string): Promise<boolean> {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/authcheck', headers: { authorization: basic({ email, token }) } });
    return res.statusCode === 200 && res.json().status === 'nominal';
  }

  function expectOneLine(result: RunResult): string {
    expect(result.stdout).toMatch(/^[^\n]+\n$/);
    return result.stdout.trimEnd();
  }

  beforeAll(async () => {
    await ensureBuilt();
    const prefix = uniquePrefix();
    // No OTS_SECRET on purpose: the CLI does not need the master key.
    env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix };
    t = await makeApp('redis', {}, { store: await makeStore('redis', undefined, prefix) });
  });
  afterAll(() => t?.close());

  it('create prints only a new 64-hex token, which then authenticates (no OTS_SECRET needed); its ids on stderr', async () => {
    const result = await admin('account', 'create', 'carol@example.com');
    expect(result.code).toBe(0);
    const [, customerId, organizationId] = /^customer id (ur[0-9a-z]{20})\norganization id (on[0-9a-z]{20})\n$/.exec(result.stderr) ?? [];
    expect(customerId, result.stderr).toBeDefined();
    const token = expectOneLine(result);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await authenticates('carol@example.com', token)).toBe(true);
    // Either id logs in in place of the email (what the Ruby client 0.7.0 sends).
    expect(await authenticates(customerId!, token)).toBe(true);
    expect(await authenticates(organizationId!, token)).toBe(true);
    expect(await authenticates('carol@example.com', 'not-the-token')).toBe(false);
  });

  it('create --token stores the given token; the email is case-insensitive', async () => {
    const given = 'dave-provisioned-token-0123456789ab';
    const result = await admin('account', 'create', 'Dave@Example.COM', '--token', given);
    expect(result.code).toBe(0);
    expect(expectOneLine(result)).toBe(given);
    expect(await authenticates('dave@example.com', given)).toBe(true);
    const equals = await admin('account', 'create', 'erin@example.com', `--token=${given}-erin`);
    expect(expectOneLine(equals)).toBe(`${given}-erin`);
  });

  it('create refuses an existing account and keeps its token', async () => {
    const first = expectOneLine(await admin('account', 'create', 'frank@example.com'));
    const again = await admin('account', 'create', 'frank@example.com', '--token', 'replacement-token-0123456789abcdef');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('already exists');
    expect(again.stderr).not.toContain('replacement-token-0123456789abcdef');
    expect(await authenticates('frank@example.com', first)).toBe(true);
    expect(await authenticates('frank@example.com', 'replacement-token-0123456789abcdef')).toBe(false);
  });

  it('list shows each account with its creation date in ISO 8601 and its ids, one per line', async () => {
    const before = Date.now();
    await admin('account', 'create', 'grace@example.com');
    const result = await admin('account', 'list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const grace = lines.find((l) => l.startsWith('grace@example.com\t'));
    expect(grace).toMatch(/^grace@example\.com\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\tur[0-9a-z]{20}\ton[0-9a-z]{20}$/);
    const created = Date.parse(grace!.split('\t')[1]!);
    expect(created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(created).toBeLessThanOrEqual(Date.now());
    // Every line has the same shape, tokens never appear.
    for (const line of lines) expect(line).toMatch(/^[^\t\s]+@[^\t\s]+\t\d{4}-\d\d-\d\dT[\d:.]+Z\tur[0-9a-z]{20}\ton[0-9a-z]{20}$/);
  });

  it('rotate prints only the new token; the old one stops working', async () => {
    const old = expectOneLine(await admin('account', 'create', 'heidi@example.com'));
    const idsBefore = await t.app.ots.accounts.get('heidi@example.com');
    const result = await admin('account', 'rotate', 'heidi@example.com');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const fresh = expectOneLine(result);
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(old);
    expect(await authenticates('heidi@example.com', old)).toBe(false);
    expect(await authenticates('heidi@example.com', fresh)).toBe(true);
    // The public ids survive the rotation and log in with the new token.
    const idsAfter = await t.app.ots.accounts.get('heidi@example.com');
    expect(idsAfter).toEqual(idsBefore);
    expect(await authenticates(idsAfter!.customerId, fresh)).toBe(true);
    expect(await authenticates(idsAfter!.customerId, old)).toBe(false);
  });

  it('rotate fails for an unknown account and creates nothing', async () => {
    const result = await admin('account', 'rotate', 'nobody@example.com');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('ots-admin: no account nobody@example.com\n');
    expect((await admin('account', 'list')).stdout).not.toContain('nobody@example.com');
  });

  it('delete removes the account: its token fails and list no longer shows it', async () => {
    const token = expectOneLine(await admin('account', 'create', 'ivan@example.com'));
    const result = await admin('account', 'delete', 'ivan@example.com');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(await authenticates('ivan@example.com', token)).toBe(false);
    expect((await admin('account', 'list')).stdout).not.toContain('ivan@example.com');
    const again = await admin('account', 'delete', 'ivan@example.com');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no account ivan@example.com');
  });

  // Independent child processes: run them side by side.
  it.concurrent.each([
    [[]],
    [['account']],
    [['accounts', 'list']],
    [['account', 'frobnicate', 'x@example.com']],
    [['account', 'create']],
    [['account', 'create', 'not-an-email']],
    [['account', 'create', 'a:b@example.com']],
    [['account', 'create', 'x@example.com', 'extra']],
    [['account', 'create', 'x@example.com', '--token']],
    [['account', 'create', 'x@example.com', '--verbose']],
    [['account', 'delete', 'x@example.com', '--token', 'some-long-token-0123456789abcdefg']],
    [['account', 'list', 'x@example.com']],
    [['webhook']],
    [['webhooks']],
    [['webhook', 'frobnicate', 'x@example.com']],
    [['webhooks', 'frobnicate']],
    [['webhook', 'set']],
    [['webhook', 'set', 'x@example.com']],
    [['webhook', 'set', 'not-an-email', 'https://hooks.example.com/']],
    [['webhook', 'set', 'x@example.com', 'ftp://hooks.example.com/']],
    [['webhook', 'set', 'x@example.com', 'hooks.example.com/ots']],
    [['webhook', 'set', 'x@example.com', 'https://hooks.example.com/', 'extra']],
    [['webhook', 'show', 'x@example.com', 'extra']],
    [['webhook', 'remove', 'x@example.com', '--max', '3']],
    [['webhooks', 'status', 'extra']],
    [['webhooks', 'status', '--max', '3']],
    [['webhooks', 'dead', '--max', '0']],
    [['webhooks', 'dead', '--max', 'all']],
    [['webhooks', 'replay', '--max']],
    [['webhooks', 'replay', '--max', '1', '--max', '2']],
    [['webhooks', 'replay', '--token', 'some-long-token-0123456789abcdefg']],
    [['account', 'list', '--max', '3']],
  ])('usage error %j: exit 2, the error and the forms that apply on stderr (not the whole usage), nothing on stdout', async (args) => {
    const result = await admin(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ots-admin: .+/);
    expect(lines.at(-1)).toBe('All commands: npm run --silent admin -- --help');
    expect(lines.slice(1, -1).every((line) => line.startsWith('Usage: npm run --silent admin -- '))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('a usage error shows the one form that applies', async () => {
    const result = await admin('account', 'create');
    expect(result.stderr).toBe(
      'ots-admin: missing <email>\n' +
        'Usage: npm run --silent admin -- account create <email> [--token <token>]\n' +
        'All commands: npm run --silent admin -- --help\n',
    );
  });

  // A chosen token is stored as one SHA-256, so it must be as long as 128 random bits in hex: 32 characters.
  it.concurrent.each([
    ['short!', 'create'],
    ['eight-ch', 'create'],
    ['provisioned-by-ops-0123456789ab', 'create'], // 31 characters
    ['provisioned-by-ops-0123456789ab', 'rotate'],
    ['provisioned by ops 0123456789abcd', 'create'],
  ])('a weak --token %j (account %s) is a usage error that does not echo the token', async (weak, verb) => {
    const result = await admin('account', verb, 'x@example.com', '--token', weak);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--token must be 32 to 256 printable ASCII characters without spaces');
    expect(result.stderr).not.toContain(weak);
  });

  it('--help prints the usage on stdout and exits 0, without touching Redis', async () => {
    const result = await runBuilt('cli/admin.js', ['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('account create <email> [--token <token>]');
    expect(result.stderr).toBe('');
  });

  it('without REDIS_URL it explains that memory mode has only OTS_ACCOUNTS and exits non-zero', async () => {
    const result = await runBuilt('cli/admin.js', ['account', 'list'], {});
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no Redis is configured');
    expect(result.stderr).toContain('OTS_ACCOUNTS');
  });

  it('takes a Cluster or Sentinel configuration as Redis too (it tries to connect, not refuse as memory mode)', async () => {
    const topologies: Record<string, string>[] = [
      { REDIS_CLUSTER_NODES: '127.0.0.1:1' },
      { REDIS_SENTINELS: '127.0.0.1:1', REDIS_SENTINEL_NAME: 'mymaster' },
    ];
    for (const env of topologies) {
      const result = await runBuilt('cli/admin.js', ['account', 'list'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).not.toContain('no Redis is configured');
    }
  });

  it('an unreachable Redis is a clear one-line failure, without a stack', async () => {
    const result = await runBuilt('cli/admin.js', ['account', 'create', 'x@example.com'], {
      REDIS_URL: 'redis://:hunter2@127.0.0.1:1',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'ots-admin: cannot reach redis redis://127.0.0.1:1: nothing accepts connections at that address and port (ECONNREFUSED)\n',
    );
  });

  it('a bad setting is a configuration error (exit 78), without a stack', async () => {
    const result = await runBuilt('cli/admin.js', ['account', 'list'], { ...env, OTS_SECRET: 'too-short' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('OTS_SECRET');
    expect(result.stderr).not.toContain('too-short');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('the documented `npm run --silent admin -- account create` prints only the token', async () => {
    // npm runs preadmin first, which only checks dist/ (it never rebuilds under other test files).
    const result = await run('npm', ['run', '--silent', 'admin', '--', 'account', 'create', 'judy@example.com'], env);
    expect(result.code).toBe(0);
    const token = expectOneLine(result);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await authenticates('judy@example.com', token)).toBe(true);
  });
});
