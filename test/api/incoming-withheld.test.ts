// §8.10 of docs/contracts/ots-incoming-api.md: no route that shows a receipt ever shows an incoming secret's key.
// The routes are read from the route tables themselves (every v1, v2 and v3 route with a receipt `:key`, aliases
// and methods included), plus the v3 batch and the receipt pages, so a route added later is walked too.
import { describe, expect, it } from 'vitest';
import type { ApiRoute } from '../../src/api/route.js';
import { v1Routes } from '../../src/api/v1/routes.js';
import { v2Routes } from '../../src/api/v2/routes.js';
import { v3Routes } from '../../src/api/v3/routes.js';
import { ALICE, STORE_KINDS } from '../support/app.js';
import { get, ok, post, send, serve, type SocketApp, V3 } from './socket.js';

const ENV = { SMTP_URL: 'smtp://127.0.0.1:9', SMTP_FROM: 'ots@example.com', INCOMING_RECIPIENTS: 'security@example.com', INCOMING_RATE_LIMIT_ENABLED: 'false' };

/** Every method × path of a table whose `:key` is a receipt key (not a secret's); PATCH edits an account's memo only. */
function receiptPaths(prefix: string, routes: ApiRoute[]): { method: string; path: string }[] {
  return routes
    .filter((r) => !r.path.includes('/secret'))
    .flatMap((r) => [r.path, ...(r.aliases ?? [])].filter((p) => p.includes(':key')).flatMap((p) => [r.method].flat().filter((m) => m !== 'PATCH').map((m) => ({ method: m, path: `${prefix}${p}` }))));
}

describe.each(STORE_KINDS)('the incoming link withheld from every receipt view (%s store)', (kind) => {
  const s: SocketApp = serve(kind, ENV);

  async function submitted() {
    const digest = s.app.incoming.config().recipients[0]!.digest;
    const { record } = ok(await post(s, '/api/incoming/secret', { secret: { secret: 'withheld value', recipient: digest } }));
    return { receiptKey: record.receipt.key as string, secretKey: record.secret.key as string };
  }

  it('walks every API route with a receipt key, the v3 batch and the receipt pages', async () => {
    const deps = { service: s.app.ots.service, store: s.store, publicUrl: s.config.publicUrl, version: '0', locales: ['en'], versionRequiresAuth: false };
    const routes = [
      ...receiptPaths('/api/v1', v1Routes(deps)),
      ...receiptPaths('/api/v2', v2Routes(deps)),
      ...receiptPaths('/api/v3', v3Routes(deps)),
      ...['/private/:key', '/receipt/:key', '/receipt/:key/burn'].map((path) => ({ method: 'GET', path })),
    ];
    expect(routes.length).toBeGreaterThan(15);
    for (const { method, path } of routes) {
      // A fresh secret each time: v1's burn routes burn.
      const { receiptKey, secretKey } = await submitted();
      const url = path.replace(':key', receiptKey);
      const reply = await send(s, method, url, {
        as: ALICE,
        ...(method === 'POST' ? { body: JSON.stringify({ continue: false }), contentType: 'application/json' } : {}),
      });
      expect(reply.status, `${method} ${url}: ${reply.text}`).toBeLessThan(300);
      expect(reply.text, `${method} ${path}`).not.toContain(secretKey);
      expect(reply.text, `${method} ${path}`).not.toContain('/secret/');
    }
    const { receiptKey, secretKey } = await submitted();
    const batch = await post(s, `${V3}/guest/receipts`, { identifiers: [receiptKey] });
    expect(ok(batch).records).toHaveLength(1);
    expect(batch.text).not.toContain(secretKey);
    // Still revealable by the one who has the link.
    expect((await get(s, `/secret/${secretKey}`)).status).toBe(200);
  });
});
