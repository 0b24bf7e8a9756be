// A Redis the server cannot use, as an operator meets it: a password missing or wrong in REDIS_URL, a host DNS
// does not know, a TLS certificate nobody trusts. `npm start`, the admin command and the `ots-server` test command
// each name the cause instead of "store unreachable" or "cannot reach redis", and never print the password.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedRedisEnv, startServerProcess } from '../deploy/server-process.js';
import { cleanEnv, DIST, ensureBuilt, ROOT, runBuilt } from '../e2e/built.js';
import { TEST_MASTER_KEY } from '../support/app.js';
import { freePort, RedisServer } from '../support/redis-server.js';

const PASSWORD = 'the-right-password-9f2c';
const WRONG = 'hunter2-wrong-password';
const REFUSED = 'Redis refused the credentials';

describe('a Redis that refuses, cannot be found, or is not trusted', () => {
  let redis: RedisServer;
  let tlsRedis: RedisServer;
  let tlsPort: number;
  const certDir = mkdtempSync(join(tmpdir(), 'ots-tls-'));
  const at = (auth: string) => `redis://${auth}127.0.0.1:${redis.port}`;

  beforeAll(async () => {
    await ensureBuilt();
    // The password is set once the server answers: the harness waits for it with a plain PING.
    redis = await RedisServer.start();
    const client = new Redis(redis.url);
    await client.config('SET', 'requirepass', PASSWORD);
    client.disconnect();
    const [key, cert] = [join(certDir, 'key.pem'), join(certDir, 'cert.pem')];
    execFileSync('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    ], { stdio: 'ignore' });
    tlsPort = await freePort();
    tlsRedis = await RedisServer.start({
      args: ['--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no'],
    });
  });
  afterAll(async () => {
    await redis?.destroy();
    await tlsRedis?.destroy();
    rmSync(certDir, { recursive: true, force: true });
  });

  it.each([
    ['no password', 'NOAUTH', ''],
    ['a wrong password', 'WRONGPASS', `:${WRONG}@`],
    ['a wrong user and password', 'WRONGPASS', `ops:${WRONG}@`],
  ])('npm start with %s in REDIS_URL warns that Redis refused the credentials (%s)', async (_, code, auth) => {
    const server = await startServerProcess(sharedRedisEnv(at(auth)));
    try {
      const line = await server.waitForLog('store unreachable');
      expect(line.level).toBe(40);
      expect(line.msg).toContain(`${REFUSED} (${code}`);
      expect(line.msg).toContain('REDIS_URL');
      expect(server.logs.join('\n')).not.toContain(WRONG);
    } finally {
      server.kill();
      await server.exited;
    }
  });

  it('npm start names DNS when the host name does not resolve, and TLS when the certificate is not trusted', async () => {
    const dns = await startServerProcess(sharedRedisEnv('redis://no-such-host.invalid:6379'));
    const tls = await startServerProcess(sharedRedisEnv(`rediss://127.0.0.1:${tlsPort}`));
    try {
      expect((await dns.waitForLog('store unreachable')).msg).toContain('DNS cannot resolve the Redis host');
      const tlsLine = await tls.waitForLog('store unreachable');
      expect(tlsLine.msg).toContain('the TLS connection to Redis failed');
      expect(tlsLine.msg).toContain('NODE_EXTRA_CA_CERTS');
    } finally {
      for (const s of [dns, tls]) s.kill();
      await Promise.all([dns.exited, tls.exited]);
    }
  });

  it('the admin command says the same, on one line, without the password', async () => {
    const missing = await runBuilt('cli/admin.js', ['account', 'list'], { REDIS_URL: at('') });
    const wrong = await runBuilt('cli/admin.js', ['stats'], { REDIS_URL: at(`:${WRONG}@`) });
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(new RegExp(`^ots-admin: cannot reach redis redis://127\\.0\\.0\\.1:\\d+: ${REFUSED} \\(NOAUTH`));
    expect(wrong.stderr).toContain(`${REFUSED} (WRONGPASS)`);
    expect(wrong.stderr).not.toContain(WRONG);
    expect(wrong.stderr.trimEnd().split('\n')).toHaveLength(1);
    // With the right password the same command works.
    const right = await runBuilt('cli/admin.js', ['account', 'list'], { REDIS_URL: at(`:${PASSWORD}@`) });
    expect(right).toMatchObject({ code: 0, stderr: '(no accounts)\n' });
  });

  it('the ots-server test command prints its URL, then warns on stderr with the cause', async () => {
    const child = spawn(process.execPath, [`${DIST}/cli/ots-server.js`, '--port', '0', '--redis-url', at(`:${WRONG}@`)], {
      cwd: ROOT,
      env: cleanEnv({ OTS_SECRET: TEST_MASTER_KEY }),
    });
    let stderr = '';
    const exited = once(child, 'exit');
    // Two pipes: the URL and the warning may arrive in either order, so wait for both.
    const [[url]] = await Promise.all([
      once(createInterface({ input: child.stdout }), 'line') as Promise<[string]>,
      new Promise<void>((resolve) =>
        child.stderr.on('data', (chunk) => {
          stderr += String(chunk);
          if (stderr.includes('store unreachable')) resolve();
        }),
      ),
    ]);
    child.kill('SIGTERM');
    await exited;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).toContain(`${REFUSED} (WRONGPASS)`);
    expect(stderr).not.toContain(WRONG);
  });
});
