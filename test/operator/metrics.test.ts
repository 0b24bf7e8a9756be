// Prometheus metrics as an operator sees them: a flow through the API, then a scrape of /metrics on the separate
// metrics listener over loopback.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { burn, get, ok, postForm, reveal, share, type Receipt } from '../api/wire.js';
import { ALICE, makeApp, uniquePrefix, type TestApp } from '../support/app.js';

/** The value of one sample line (`name{labels} value`), or undefined when the scrape has no such line. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('metrics on METRICS_PORT (Redis store)', () => {
  let t: TestApp;
  let body: string;
  const seen: string[] = []; // every key, value and passphrase the flow used: none may reach the scrape

  beforeAll(async () => {
    // Port 0: a free loopback port. A low limit so that the flow hits it once, with counters of its own (the
    // rate-limit counters live under REDIS_PREFIX, shared by every test app from 127.0.0.1 otherwise).
    // TTL_MIN=1 so a secret can expire during the test.
    t = await makeApp('redis', { METRICS_PORT: '0', REDIS_PREFIX: uniquePrefix(), RATE_LIMIT_UNROUTED: '2', TTL_MIN: '1' });

    const protectedOne = await share(t, { secret: 'metrics-secret-value-1', passphrase: 'correct-horse' });
    expect((await reveal(t, protectedOne.secret_key!, { passphrase: 'wrong-horse' })).headers['x-ots-intended-status']).toBe('404');
    ok(await reveal(t, protectedOne.secret_key!, { passphrase: 'correct-horse' }));

    const burnt = await share(t, { secret: 'metrics-secret-value-2' }, ALICE);
    ok(await burn(t, burnt.metadata_key, {}, ALICE));

    const shortLived = await share(t, { secret: 'metrics-secret-value-3', ttl: '1' });
    // Real expiry in Redis: the receipt reports `expired` once the secret's second has run out.
    await vi.waitFor(
      async () => expect(ok<Receipt>(await get(t, `/api/v1/private/${shortLived.metadata_key}`)).state).toBe('expired'),
      { timeout: 5_000, interval: 200 },
    );

    const generated = ok<Receipt>(await postForm(t, '/api/v1/generate', {}));

    // Three requests to a path that does not exist: the third is over RATE_LIMIT_UNROUTED=2.
    const unrouted = [];
    for (let i = 0; i < 3; i++) unrouted.push((await get(t, '/api/v1/no-such-route')).headers['x-ots-intended-status']);
    expect(unrouted).toEqual(['404', '404', '429']);
    // A route that hands over to the not-found handler (an unknown asset) counts as unrouted too.
    expect((await get(t, '/static/no-such-asset.css')).statusCode).toBe(404);

    for (const r of [protectedOne, burnt, shortLived, generated]) seen.push(r.metadata_key, r.secret_key!);
    seen.push('metrics-secret-value', 'correct-horse', 'wrong-horse', generated.value!, ALICE.email);

    expect(t.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await scrape(t.app.metricsUrl!);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    body = res.body;
  });
  afterAll(() => t?.close());

  it('counts secrets created, revealed, burned and expired, wrong passphrases and rate-limited requests', () => {
    expect({
      created: sample(body, 'ots_secrets_created_total'),
      revealed: sample(body, 'ots_secrets_revealed_total'),
      burned: sample(body, 'ots_secrets_burned_total'),
      expired: sample(body, 'ots_secrets_expired_total'),
      wrongPassphrases: sample(body, 'ots_passphrase_failures_total'),
      rateLimited: sample(body, 'ots_rate_limited_total'),
    }).toEqual({ created: 4, revealed: 1, burned: 1, expired: 1, wrongPassphrases: 1, rateLimited: 1 });
  });

  it('times requests by method, route pattern and status class', () => {
    const count = (labels: string) => sample(body, `ots_http_request_duration_seconds_count{${labels}}`);
    expect(count('method="POST",route="/api/v1/share",status_class="2xx"')).toBe(3);
    expect(count('method="POST",route="/api/v1/secret/:key",status_class="2xx"')).toBe(1);
    // Compat mode answers errors with 404: the wrong passphrase is a 4xx of the reveal route.
    expect(count('method="POST",route="/api/v1/secret/:key",status_class="4xx"')).toBe(1);
    expect(count('method="POST",route="/api/v1/private/:key/burn",status_class="2xx"')).toBe(1);
    expect(count('method="GET",route="(unrouted)",status_class="4xx"')).toBe(4);
    expect(body).toContain('ots_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/v1/share",status_class="2xx"}');
  });

  it('labels only method, route and status_class: no key, value, passphrase or address anywhere in the scrape', () => {
    const labelNames = new Set([...body.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]));
    for (const name of labelNames) expect(['method', 'route', 'status_class', 'le', 'version', 'type', 'space', 'kind', 'major', 'minor', 'patch']).toContain(name);
    for (const value of seen) expect(body).not.toContain(value);
    expect(body).not.toContain('no-such-route'); // unrouted URLs are one "(unrouted)" series, not one per URL
  });

  it('includes the process default metrics', () => {
    expect(sample(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('is not served by the public listener', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('ots_secrets_created_total');
  });
});

describe('metrics listener lifecycle', () => {
  it('is off without METRICS_PORT', async () => {
    const t = await makeApp('memory');
    try {
      expect(t.app.metricsUrl).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('closes with the app (graceful shutdown closes it too)', async () => {
    const t = await makeApp('memory', { METRICS_PORT: '0' });
    const url = t.app.metricsUrl!;
    expect((await scrape(url)).status).toBe(200);
    expect((await scrape(url.replace(/\/metrics$/, '/other'))).status).toBe(404);
    await t.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
