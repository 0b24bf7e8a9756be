// POST /__ots/faults: the store answers as an unreachable Redis does (every version's 503 shape), or slowly.
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, control, http, serveDouble } from './double.js';

const BACK_SHORTLY = "We'll be back shortly!";

describe('faults', () => {
  const ots = serveDouble();
  afterEach(() => control(ots.url, 'reset'));

  it('store down: v1 answers its compat 404 with X-OTS-Intended-Status 503, for every kind of call', async () => {
    const f = await control(ots.url, 'fixtures', { state: 'new' });
    expect(await control(ots.url, 'faults', { store: 'down' })).toEqual({ store: 'down', latency_ms: 0 });
    const calls = [
      http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'during the outage' } }),
      http(ots.url, 'POST', `/api/v1/secret/${f.secret_key}`),
      http(ots.url, 'POST', `/api/v1/private/${f.metadata_key}`),
      http(ots.url, 'POST', `/api/v1/private/${f.metadata_key}/burn`),
      http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'x' }, as: ALICE }),
    ];
    for (const reply of await Promise.all(calls)) {
      expect(reply.status).toBe(404);
      expect(reply.headers.get('x-ots-intended-status')).toBe('503');
      expect(reply.body).toEqual({ message: BACK_SHORTLY });
    }
  });

  for (const [version, prefix] of [
    ['v2', '/api/v2'],
    ['v3', '/api/v3/guest'],
  ] as const) {
    it(`store down: ${version} answers 503 ServiceUnavailable with Retry-After, for create, reveal and receipt`, async () => {
      const f = await control(ots.url, 'fixtures', { state: 'new' });
      await control(ots.url, 'faults', { store: 'down' });
      const calls = [
        http(ots.url, 'POST', `${prefix}/secret/conceal`, { json: { secret: { secret: 'x' } } }),
        http(ots.url, 'POST', `${prefix}/secret/${f.secret_key}/reveal`, { json: { continue: true } }),
        http(ots.url, 'GET', `${prefix}/receipt/${f.metadata_key}`),
      ];
      for (const reply of await Promise.all(calls)) {
        expect(reply.status).toBe(503);
        expect(reply.headers.get('retry-after')).toBe('5');
        expect(reply.body).toEqual({ error: BACK_SHORTLY, error_type: 'ServiceUnavailable' });
      }
    });
  }

  it('store down: status says offline, /ready 503, /health 200; back up, the secret made before is still there', async () => {
    const f = await control(ots.url, 'fixtures', { state: 'new', secret: 'survives' });
    await control(ots.url, 'faults', { store: 'down' });
    expect((await http(ots.url, 'GET', '/api/v1/status')).body).toEqual({ status: 'offline', locale: 'en' });
    expect(await http(ots.url, 'GET', '/ready')).toMatchObject({ status: 503, body: { status: 'unavailable', store: 'memory' } });
    expect(await http(ots.url, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    // Fixtures need the store too: the control API says so instead of half-making one.
    expect(await http(ots.url, 'POST', '/__ots/fixtures', { json: { state: 'new' } })).toMatchObject({ status: 503 });
    expect(await control(ots.url, 'faults', { store: 'up' })).toEqual({ store: 'up', latency_ms: 0 });
    expect((await http(ots.url, 'GET', '/api/v1/status')).body).toEqual({ status: 'nominal', locale: 'en' });
    expect((await http(ots.url, 'POST', `/api/v1/secret/${f.secret_key}`)).body.value).toBe('survives');
  });

  it('latency_ms: every store call waits that long first; /health, which needs no store, does not', async () => {
    ots.control.faults({ latency_ms: 300 });
    const slow = await http(ots.url, 'POST', '/api/v2/secret/conceal', { json: { secret: { secret: 'slow' } } });
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(300);
    expect((await http(ots.url, 'GET', '/health')).ms).toBeLessThan(300);
    expect((await http(ots.url, 'GET', '/__ots/faults')).body).toEqual({ store: 'up', latency_ms: 300 });
  });

  it('refuses a fault it does not know', async () => {
    expect(await http(ots.url, 'POST', '/__ots/faults', { json: { store: 'flaky' } })).toMatchObject({ status: 400 });
    expect(await http(ots.url, 'POST', '/__ots/faults', { json: { latency_ms: -1 } })).toMatchObject({ status: 400 });
  });
});
