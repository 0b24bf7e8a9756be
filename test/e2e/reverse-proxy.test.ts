// ots-server behind a real reverse proxy: Debian's nginx on loopback terminating TLS with a certificate the test
// makes (test/support/nginx.ts). Sub-path hosting (docs/contracts/ots-v2-api.md §11.4) both ways the README
// documents (nginx passes /ots/ on; nginx strips it), the CIPP replay at the root and under /ots (contract test
// 101), the macOS app's replay (test 99), and TRUST_PROXY for real: the rate limit sees the client behind nginx, and
// a forged X-Forwarded-For does not help.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, makeApp, type TestApp } from '../support/app.js';
import { startNginx, type Nginx, type ProxyLocation } from '../support/nginx.js';
import { freePort } from '../support/redis-server.js';
import { sendExact, type ExactResponse } from './exact-request.js';
import { ClientError, cippNewLink, macosConceal, macosStatus } from './new-clients.js';

interface Proxied {
  app: TestApp;
  nginx: Nginx;
  /** The public base URL, e.g. https://localhost:44321/ots */
  base: string;
}

/** The app (Redis) on 127.0.0.1 and nginx in front of it; `path` is the public URL's path ('' or '/ots'). */
function behindNginx(path: string, locations: (appPort: number) => ProxyLocation[], env: Record<string, string> = {}): Proxied {
  const running = {} as Proxied;
  beforeAll(async () => {
    const port = await freePort();
    running.base = `https://localhost:${port}${path}`;
    running.app = await makeApp('redis', { OTS_PUBLIC_URL: running.base, TRUST_PROXY: '127.0.0.1', ...env });
    await running.app.app.listen({ host: '127.0.0.1', port: 0 });
    running.nginx = await startNginx(locations((running.app.app.server.address() as AddressInfo).port), port);
  });
  afterAll(async () => {
    const log = running.nginx?.accessLog() ?? [];
    console.log(`nginx access log (${running.base}), ${log.length} requests, the last three:\n  ${log.slice(-3).join('\n  ')}`);
    await running.nginx?.stop();
    await running.app?.close();
  });
  return running;
}

/** A request through nginx, trusting its certificate; `from` is the client's own loopback address. */
function through(p: Proxied, method: string, url: string, opts: { body?: string; headers?: [string, string][]; from?: string } = {}): Promise<ExactResponse> {
  const headers: [string, string][] = [['Host', new URL(url).host], ...(opts.headers ?? [])];
  if (opts.body !== undefined) headers.push(['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(opts.body))]);
  return sendExact({ method, url, headers, body: opts.body }, { ca: p.nginx.ca, localAddress: opts.from });
}

const revealedValue = async (p: Proxied, key: string, passphrase?: string) => {
  const res = await through(p, 'POST', `${p.base}/api/v2/secret/${key}/reveal`, { body: JSON.stringify({ continue: true, passphrase }) });
  expect(res.status, res.text).toBe(200);
  return (JSON.parse(res.text) as { record: { secret_value: string } }).record.secret_value;
};

const PASSWORD = 'a&b=é+"';

async function cippReplay(p: Proxied, baseUrl: string): Promise<void> {
  for (const defaultPassphrase of [undefined, 'default passphrase']) {
    const link = await cippNewLink({ baseUrl, email: ALICE.email, apiKey: ALICE.token, hours: 24, defaultPassphrase }, PASSWORD, { ca: p.nginx.ca });
    const key = link.split('/').pop()!;
    expect(link).toBe(`${p.base}/secret/${key}`);
    const page = await through(p, 'GET', link);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="${new URL(p.base).pathname.replace(/\/$/, '')}/secret/${key}"`);
    expect(await revealedValue(p, key, defaultPassphrase)).toBe(PASSWORD);
    console.log(`CIPP replay: POST ${baseUrl.replace(/\/$/, '')}/api/v2/secret/conceal (passphrase: ${defaultPassphrase ? 'yes' : 'no'}) → ${link}`);
  }
}

describe('behind nginx under /ots/, the path passed on (the server mounts it)', () => {
  const p = behindNginx('/ots', (port) => [{ location: '/ots/', pass: `http://127.0.0.1:${port}/ots/` }]);

  it('101 CIPP replay under the sub-path base https://…/ots/: 2xx without redirect, link under the base, value byte-identical', async () => {
    await cippReplay(p, `${p.base}/`);
  });

  it('99 macOS replay: v3 conceal with Basic on…:token, the guest conceal, the status; links open the page under /ots', async () => {
    const ids = (await p.app.app.ots.accounts.get(ALICE.email)) as { organizationId: string };
    const cfg = { serverUrl: `${p.base}/`, organizationId: ids.organizationId, token: ALICE.token };
    const transport = { ca: p.nginx.ca };
    // share_domain: the app's default (host:port/ots), then the server's host as a configured share domain.
    for (const shareDomain of [undefined, new URL(p.base).host]) {
      const made = await macosConceal({ ...cfg, shareDomain }, 'p', 604800, transport);
      expect(made.parsed).toEqual({ secretTtl: 604800, hasPassphrase: false, shareDomain: null });
      expect(made.link.startsWith(`${p.base}/secret/`)).toBe(true);
      expect((await through(p, 'GET', made.link)).status).toBe(200);
      console.log(`macOS replay (Basic on…): receipt ${made.receiptId.slice(0, 6)}…, link ${made.link}`);
    }
    const guest = await macosConceal({ serverUrl: cfg.serverUrl }, 'p', 604800, transport);
    expect(guest.parsed.hasPassphrase).toBe(false);
    expect(await revealedValue(p, guest.link.split('/').pop()!)).toBe('p');
    expect(await macosStatus(cfg, transport)).toMatchObject({ status: 'nominal' });
    const refused = await macosConceal({ ...cfg, token: 'wrong' }, 'p', 3600, transport).catch((e: unknown) => e);
    expect(refused).toEqual(new ClientError('Not authorized', 401));
  });

  it('the pages and their assets load through nginx; no /ots/api route redirects', async () => {
    const home = await through(p, 'GET', `${p.base}/`);
    expect(home.status).toBe(200);
    const assets = [...home.text.matchAll(/(?:href|src)="(\/ots\/static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBe(4);
    for (const asset of assets) expect((await through(p, 'GET', `${new URL(p.base).origin}${asset}`)).status).toBe(200);
    const slash = await through(p, 'GET', `${p.base}/api/v2/status/`);
    expect(slash.status).toBe(404);
    expect(slash.headers.location).toBeUndefined();
  });
});

describe('behind nginx at the root', () => {
  const p = behindNginx('', (port) => [{ location: '/', pass: `http://127.0.0.1:${port}` }]);

  it('101 CIPP replay at the root base https://localhost:port', async () => {
    await cippReplay(p, p.base);
  });
});

describe('behind nginx that strips /ots/ (the server also answers at the root)', () => {
  const p = behindNginx('/ots', (port) => [{ location: '/ots/', pass: `http://127.0.0.1:${port}/` }]);

  it('101 CIPP replay and the pages work; links still carry /ots', async () => {
    await cippReplay(p, `${p.base}/`);
    const home = await through(p, 'GET', `${p.base}/`);
    expect(home.text).toContain('action="/ots/"');
  });
});

describe('TRUST_PROXY=127.0.0.1 behind nginx: the budget is the client behind it', () => {
  const p = behindNginx('/ots', (port) => [{ location: '/ots/', pass: `http://127.0.0.1:${port}/ots/` }], { RATE_LIMIT_CREATE: '3' });
  const create = (from: string, forged?: string) =>
    through(p, 'POST', `${p.base}/api/v2/secret/conceal`, {
      body: '{"secret":{"secret":"x"}}',
      headers: forged ? [['X-Forwarded-For', forged]] : [],
      from,
    });

  it('a client (127.0.0.2) spends its own budget whatever X-Forwarded-For it forges; another client (127.0.0.3) still has its own', async () => {
    for (let i = 1; i <= 3; i++) expect((await create('127.0.0.2', `10.0.0.${i}`)).status).toBe(200);
    const limited = await create('127.0.0.2', '10.0.0.99, 192.0.2.1');
    expect(limited.status).toBe(429);
    expect((await create('127.0.0.3')).status).toBe(200);
    // Straight to the app, not through the trusted proxy: the header is not believed either.
    const direct = await sendExact(
      {
        method: 'POST',
        url: `http://127.0.0.1:${(p.app.app.server.address() as AddressInfo).port}/ots/api/v2/secret/conceal`,
        headers: [['Host', 'localhost'], ['X-Forwarded-For', '127.0.0.3'], ['Content-Type', 'application/json'], ['Content-Length', '25']],
        body: '{"secret":{"secret":"x"}}',
      },
      { localAddress: '127.0.0.2' },
    );
    expect(direct.status).toBe(429);
    const log = p.nginx.accessLog().join('\n');
    expect(log).toContain('127.0.0.2 "10.0.0.1"');
    expect(log).toContain('127.0.0.3 "-"');
  });
});
