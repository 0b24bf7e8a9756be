// The `ots-server` command as a non-Node test suite uses it: cli-smoke.sh starts the built command in the
// background, reads the URL from its first stdout line, calls the API with curl and stops it with a signal.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, run, runBuilt } from '../e2e/built.js';

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

  it('refuses a bad setting with exit 78, the reason on stderr and nothing on stdout', async () => {
    const result = await runBuilt('cli/ots-server.js', ['--port', '0', '--account', 'alice@example.com:short'], {});
    expect(result).toMatchObject({ code: 78, stdout: '' });
    expect(result.stderr).toContain('token of at least 8 characters');
  });

  it('refuses an unknown option with exit 64 and the usage on stderr', async () => {
    const result = await runBuilt('cli/ots-server.js', ['--prot', '0'], {});
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr).toContain('Usage: ots-server');
  });
});
