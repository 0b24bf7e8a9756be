// The pieces the rate limits rest on, attacked directly: how a client address is grouped (IPv6 rotation, mapped
// and zoned forms), the memory store's rate counts (concurrency, window end, flooding them with clients), and the
// settings (TRUST_PROXY cannot be told to trust everyone; limits are on by default).
import fc from 'fast-check';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { clientGroup, ipv6Groups } from '../../src/rate-limit/client-address.js';
import { rateClassOf } from '../../src/rate-limit/plugin.js';
import { MemoryRateCounts } from '../../src/store/memory-rate-counts.js';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { testConfig } from '../support/app.js';

const group16 = fc.integer({ min: 0, max: 0xffff });
const groups8 = fc.array(group16, { minLength: 8, maxLength: 8 });

/** The same address written the ways clients and proxies write it: full, zero-padded, or compressed by WHATWG URL. */
function spellings(groups: number[]): string[] {
  const full = groups.map((g) => g.toString(16)).join(':');
  const padded = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
  const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
  return [full, padded.toUpperCase(), compressed];
}

describe('client address grouping', () => {
  it('IPv6 rotation: every address of one /64, in any spelling, is one client', () => {
    fc.assert(
      fc.property(groups8, fc.array(group16, { minLength: 4, maxLength: 4 }), (a, otherInterface) => {
        const b = [...a.slice(0, 4), ...otherInterface];
        if (a.slice(0, 5).every((g) => g === 0) && a[5] === 0xffff) return; // IPv4-mapped: checked below
        const expected = clientGroup(spellings(a)[0]);
        for (const spelled of [...spellings(a), ...spellings(b)]) expect(clientGroup(spelled)).toBe(expected);
        expect(expected).toMatch(/::\/64$/);
      }),
      { numRuns: 1000 },
    );
  });

  it('different /64s are different clients', () => {
    fc.assert(
      fc.property(groups8, groups8, (a, b) => {
        const samePrefix = a.slice(0, 4).every((g, i) => g === b[i]);
        const mapped = (x: number[]) => x.slice(0, 5).every((g) => g === 0) && x[5] === 0xffff;
        if (samePrefix || mapped(a) || mapped(b)) return;
        expect(clientGroup(spellings(a)[2])).not.toBe(clientGroup(spellings(b)[2]));
      }),
      { numRuns: 1000 },
    );
  });

  it('expands IPv6 exactly, dotted IPv4 tails included', () => {
    fc.assert(
      fc.property(groups8, (g) => {
        for (const spelled of spellings(g)) expect(ipv6Groups(spelled)).toEqual(g);
      }),
    );
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('64:ff9b::192.0.2.33')).toEqual([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221]);
  });

  it('IPv4 stays itself; IPv4-mapped IPv6 (a dual-stack socket) is that IPv4 client; zones are not clients', () => {
    expect(clientGroup('203.0.113.9')).toBe('203.0.113.9');
    expect(clientGroup('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientGroup('::ffff:cb00:7109')).toBe('203.0.113.9');
    expect(clientGroup('fe80::1%eth0')).toBe(clientGroup('fe80::2%lo'));
    expect(clientGroup('::1')).toBe('0:0:0:0::/64');
    expect(clientGroup(undefined)).toBe('unknown');
  });
});

describe('memory rate counts', () => {
  /** One unit under a limit never reached: what is left is the window's counting. */
  const incr = (store: MemoryRateCounts, key: string, windowMs = 1000) => store.take(key, windowMs, 1, Number.MAX_SAFE_INTEGER);

  it('concurrent requests each see their own count, not the last one (as one shared counter object would give)', async () => {
    const store = new MemoryRateCounts();
    const counts = (await Promise.all(Array.from({ length: 5 }, () => incr(store, 'k')))).map((r) => r.count);
    expect(counts).toEqual([1, 2, 3, 4, 5]);
  });

  it('a window ends on time and the count starts again; the TTL counts down', async () => {
    let now = 1_000_000;
    const store = new MemoryRateCounts(() => now);
    expect(await incr(store, 'k')).toEqual({ count: 1, ttlMs: 1000, taken: true });
    now += 400;
    expect(await incr(store, 'k')).toEqual({ count: 2, ttlMs: 600, taken: true });
    now += 600;
    expect(await incr(store, 'k')).toEqual({ count: 1, ttlMs: 1000, taken: true });
  });

  it('flooding it with new clients keeps memory bounded and drops ended windows, not live ones', async () => {
    let now = 0;
    const store = new MemoryRateCounts(() => now);
    const size = () => (store as unknown as { windows: Map<string, unknown> }).windows.size;
    for (let i = 0; i < 99_990; i++) await incr(store, `wave0-${i}`);
    now += 1500; // wave 0 has ended; a real client starts counting
    await incr(store, 'victim');
    await incr(store, 'victim');
    for (let i = 0; i < 99_990; i++) await incr(store, `wave1-${i}`);
    expect(size()).toBe(99_991); // wave 0 swept as wave 1 came in
    expect((await incr(store, 'victim')).count).toBe(3); // the live count survived the flood
    // Even when every window is still live, the store never grows past its bound.
    for (let i = 0; i < 100; i++) await incr(store, `wave2-${i}`);
    expect(size()).toBeLessThanOrEqual(100_000);
  });
});

describe('which budget a request draws on', () => {
  /** Just what rateClassOf reads of a request: its route's config. */
  const requestTo = (config: object, is404 = false) =>
    ({ is404, method: 'POST', routeOptions: { config, url: '/x' } }) as unknown as FastifyRequest;

  it("is the route's declared budget; false and unrouted paths as documented", () => {
    expect(rateClassOf(requestTo({ rateClass: 'reveal' }))).toBe('reveal');
    expect(rateClassOf(requestTo({ rateClass: false }))).toBeUndefined();
    expect(rateClassOf(requestTo({}, true))).toBe('unrouted');
  });

  it('a route that declares no budget cannot be registered (issue 13: it would be silently unlimited)', async () => {
    const app = await buildApp(testConfig(), { store: new MemoryStore() });
    try {
      await expect(
        (async () => {
          app.get('/undeclared', async () => 'x');
          await app.ready();
        })(),
      ).rejects.toThrow(/GET \/undeclared declares no rate budget/);
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});

describe('rate-limit settings', () => {
  it('limits are on by default, in production as in tests that do not lower them', () => {
    const c = loadConfig({});
    for (const limit of [c.rateLimitCreate, c.rateLimitReveal, c.rateLimitReceipt, c.rateLimitBurn, c.rateLimitUnrouted]) {
      expect(limit).toBeGreaterThan(0);
    }
    expect(c.rateLimitWindow).toBe(60);
    expect(c.trustProxy).toBeUndefined();
  });

  it('TRUST_PROXY accepts addresses, CIDR ranges and proxy-addr names', () => {
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, ::1 ,2001:db8::/32, Loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '::1',
      '2001:db8::/32',
      'loopback',
    ]);
  });

  it.each(['true', '*', 'all', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', 'proxy.example.com', '1', '10.0.0.0/x'])(
    'TRUST_PROXY=%s is refused: only named proxies may forward a client address',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY entries must be IP addresses or CIDR ranges/);
    },
  );

  it.each(['0.0.0.0/0', '0.0.0.0/1, 128.0.0.0/1', '::/0', '::/1, 8000::/1', '::ffff:0.0.0.0/96', '10.0.0.0/7'])(
    'TRUST_PROXY=%s is refused at startup: a range that covers (nearly) everyone is no proxy list (issue 22)',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY range .* is too wide/);
    },
  );

  it('a negative or non-numeric limit is refused; 0 is an explicit off', () => {
    expect(() => loadConfig({ RATE_LIMIT_CREATE: '-1' })).toThrow(/RATE_LIMIT_CREATE must be a whole number/);
    expect(() => loadConfig({ RATE_LIMIT_WINDOW: '0' })).toThrow(/RATE_LIMIT_WINDOW must be between 1/);
    expect(loadConfig({ RATE_LIMIT_REVEAL: '0' }).rateLimitReveal).toBe(0);
  });
});
