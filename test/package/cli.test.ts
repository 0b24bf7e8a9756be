// The `ots-server` command as a non-Node test suite uses it: cli-smoke.sh starts the built command in the
// background, reads the URL from its first stdout line, calls the API with curl and stops it with a signal.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, DIST, ensureBuilt, ROOT, run, runBuilt } from '../e2e/built.js';

const SCRIPT = fileURLToPath(new URL('cli-smoke.sh', import.meta.url));

/** Runs the script and returns its key=value lines as a record. */
async function smoke(signal: 'TERM' | 'INT', configBy: 'flags' | 'env'): Promise<Record<string, string>> {
  const result = await run('bash', [SCRIPT, signal, configBy], {}, 60_000);
  expect(result.code, `cli-smoke.sh failed:\n${result.stdout}${result.stderr}`).toBe(0);
  const lines = result.stdout.split('\n').filter(Boolean);
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('ots-server command (built)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  const cases = [
    ['TERM', 'flags'],
    ['INT', 'flags'],
    ['TERM', 'env'],
  ] as const;
  it.each(cases)('started from a shell script, serves the API and exits 0 on SIG%s (config by %s)', async (signal, by) => {
    const out = await smoke(signal, by);

    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.url).not.toMatch(/:0$/);
    expect(JSON.parse(out.status!)).toEqual({ status: 'nominal', locale: 'en' });
    expect(JSON.parse(out.authcheck!)).toEqual({ status: 'nominal', locale: 'en' });
    expect(JSON.parse(out.authcheck_wrong_token!)).toEqual({ message: 'Not authorized' });
    expect(JSON.parse(out.reveal!)).toMatchObject({ value: 'from-bash', share_domain: out.url });
    expect(JSON.parse(out.reveal_again!)).toMatchObject({ message: 'Unknown secret' });
    expect(out.exit).toBe('0');
    // The URL is the only stdout line; logs (warn and above by default) go to stderr and never carry the token.
    expect(out.stdout_after_url).toBe('');
    expect(out.stderr).not.toContain('sometoken123');
    expect(out.stderr).not.toMatch(/"level":(50|60)/);
  }, 90_000);

  it('keeps credentials out of its logs even at trace level', async () => {
    const account = 'alice@example.com:sometoken123-0123456789abcdefghij';
    const child = spawn(process.execPath, [join(DIST, 'cli/ots-server.js'), '--port', '0', '--log-level', 'trace', '--account', account], {
      cwd: ROOT,
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      // A multipart body: @fastify/multipart logs its busboy options, request headers included, at trace level.
      const form = new FormData();
      form.set('secret', 'from-a-form');
      const res = await fetch(`${url}/api/v1/share`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(account).toString('base64')}` },
        body: form,
      });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    expect(stderr).toContain('Providing options to busboy'); // the line that carries the headers was written
    expect(stderr).not.toContain(Buffer.from(account).toString('base64'));
    expect(stderr).not.toContain('sometoken123');
  }, 60_000);

  it('refuses a bad setting with exit 78, the reason on stderr and nothing on stdout', async () => {
    const result = await runBuilt('cli/ots-server.js', ['--port', '0', '--account', 'alice@example.com:with space'], {});
    expect(result).toMatchObject({ code: 78, stdout: '' });
    expect(result.stderr).toContain('the token 1 to 256 printable ASCII characters without spaces');
  });

  // The 32-character rule guards token hashes in a Redis dump; an in-memory test double has none to leak.
  it('takes a short fixture token in memory mode, and keeps the 32-character rule with Redis', async () => {
    const child = spawn(process.execPath, [join(DIST, 'cli/ots-server.js'), '--port', '0', '--account', 'a@example.com:test-token'], {
      cwd: ROOT,
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const res = await fetch(`${url}/api/v1/authcheck`, { headers: { authorization: `Basic ${btoa('a@example.com:test-token')}` } });
      expect(await res.json()).toEqual({ status: 'nominal', locale: 'en' });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const withRedis = await runBuilt('cli/ots-server.js', ['--port', '0', '--redis-url', 'redis://127.0.0.1:1', '--account', 'a@example.com:test-token'], {
      OTS_SECRET: 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00',
    });
    expect(withRedis).toMatchObject({ code: 78, stdout: '' });
    expect(withRedis.stderr).toContain('With REDIS_URL set, OTS_ACCOUNTS entries must be email:token, the token 32 to 256');
    expect(withRedis.stderr).not.toContain('test-token');
  });

  it('--help states the token rule and the API versions it serves', async () => {
    const result = await runBuilt('cli/ots-server.js', ['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('REST API v1, v2 and v3 guest routes');
    expect(result.stdout).toContain('32 to 256 characters with --redis-url');
    expect(result.stdout).not.toMatch(/8\+ characters|v1 compatible/);
  });

  it('refuses an unknown option with exit 64 and the usage on stderr', async () => {
    const result = await runBuilt('cli/ots-server.js', ['--prot', '0'], {});
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr).toContain('Usage: ots-server');
  });
});
