// startServer() from the sources, through a real socket: the library entry's own promises (options map onto the
// validated settings, port 0 gives a real URL that reveals report as share_domain, close() is final).
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, startServer, type RunningServer } from '../../src/index.js';
import { redisUrl, TEST_MASTER_KEY } from '../support/app.js';

const ALICE = { email: 'alice@example.com', token: 'alice-token-0123456789abcdefghijk' };
const auth = (u: { email: string; token: string }) => ({
  authorization: `Basic ${Buffer.from(`${u.email}:${u.token}`).toString('base64')}`,
});

async function post(url: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers });
  return (await res.json()) as Record<string, unknown>;
}

describe('startServer', () => {
  const started: RunningServer[] = [];
  const start = async (...args: Parameters<typeof startServer>) => {
    const server = await startServer(...args);
    started.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });

  it('listens on a free loopback port and reports that URL as share_domain', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const shared = await post(`${server.url}/api/v1/share?secret=s3cret`);
    const revealed = await post(`${server.url}/api/v1/secret/${String(shared.secret_key)}`);
    expect(revealed).toMatchObject({ value: 's3cret', share_domain: server.url });
  });

  it('maps typed options onto the settings: accounts, TTL limits, anonymous creation', async () => {
    const server = await start({ accounts: [ALICE], ttlMax: 3600, allowAnonymous: false });
    expect(await post(`${server.url}/api/v1/share?secret=x`)).toEqual({ message: 'Not authorized' });
    const shared = await post(`${server.url}/api/v1/share?secret=x&ttl=999999`, auth(ALICE));
    expect(shared).toMatchObject({ custid: ALICE.email, ttl: 3600 });
  });

  it('takes raw settings from env, with the typed options winning', async () => {
    const server = await start({ env: { TTL_MAX: '120', API_ERROR_STATUS: 'intended' }, ttlMax: 600, accounts: [ALICE] });
    const shared = await post(`${server.url}/api/v1/share?secret=x&ttl=999999`, auth(ALICE));
    expect(shared.ttl).toBe(600);
    const res = await fetch(`${server.url}/api/v1/secret/nosuchkey`, { method: 'POST' });
    expect(res.status).toBe(404);
    const unauthorized = await fetch(`${server.url}/api/v1/authcheck`);
    expect(unauthorized.status).toBe(401); // API_ERROR_STATUS=intended came through env
  });

  it('does not read process.env', async () => {
    process.env.TTL_MAX = '120';
    try {
      const server = await start({ accounts: [ALICE] });
      const shared = await post(`${server.url}/api/v1/share?secret=x&ttl=99999999`, auth(ALICE));
      expect(shared.ttl).toBe(2_592_000); // the default TTL_MAX, not the 120 above
    } finally {
      delete process.env.TTL_MAX;
    }
  });

  it('shares a Redis with another instance when given redisUrl and the same secret', async () => {
    const prefix = `start-server:${Date.now()}:`;
    const options = { redisUrl: redisUrl(), redisPrefix: prefix, secret: TEST_MASTER_KEY };
    const [one, two] = [await start(options), await start(options)];
    const shared = await post(`${one.url}/api/v1/share?secret=across`);
    expect(await post(`${two.url}/api/v1/secret/${String(shared.secret_key)}`)).toMatchObject({ value: 'across' });
    expect(await post(`${one.url}/api/v1/secret/${String(shared.secret_key)}`)).toMatchObject({ message: 'Unknown secret' });
  });

  it('rejects bad options with ConfigError, as the environment variables would be', async () => {
    await expect(startServer({ ttlMin: 0 })).rejects.toThrow(ConfigError);
    await expect(startServer({ logLevel: 'loud' as never })).rejects.toThrow(/LOG_LEVEL/);
    await expect(startServer({ redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(/OTS_SECRET is required/);
    await expect(startServer({ accounts: [{ email: 'a@example.com', token: 'has,comma-123' }] })).rejects.toThrow(/comma/);
    await expect(startServer({ ttlMaximum: 5 } as never)).rejects.toThrow(/unknown or invalid option "ttlMaximum"/);
  });

  it('close() stops listening and can be called again', async () => {
    const server = await startServer();
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/api/v1/status`)).rejects.toThrow();
  });
});
