// POST /__ots/reset: every secret, receipt, rate count and recorded request forgotten; the accounts stay.
import { describe, expect, it } from 'vitest';
import { ALICE, control, http, serveDouble } from './double.js';

describe('reset', () => {
  const ots = serveDouble({ rateLimitCreate: 2 });

  it('forgets secrets, receipts, rate counts and records; puts clock and faults back; keeps the accounts', async () => {
    const fixture = await control(ots.url, 'fixtures', { state: 'new', account: ALICE.email });
    const shared = await http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'before reset' } });
    await http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'spends the budget' } });
    expect((await http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'refused' } })).headers.get('x-ots-intended-status')).toBe('429');
    await control(ots.url, 'clock', { set: 1_900_000_000 });
    await control(ots.url, 'faults', { latency_ms: 5 });

    expect(await control(ots.url, 'reset')).toEqual({ ok: true });

    expect((await http(ots.url, 'GET', '/__ots/requests')).body).toEqual({ requests: [] });
    expect((await http(ots.url, 'GET', '/__ots/faults')).body).toEqual({ store: 'up', latency_ms: 0 });
    expect(Math.abs((await http(ots.url, 'GET', '/__ots/clock')).body.now - Date.now() / 1000)).toBeLessThan(5);
    for (const key of [fixture.secret_key, shared.body.secret_key]) {
      expect((await http(ots.url, 'POST', `/api/v1/secret/${key}`)).body).toMatchObject({ message: 'Unknown secret' });
    }
    for (const key of [fixture.metadata_key, shared.body.metadata_key]) {
      expect((await http(ots.url, 'GET', `/api/v2/receipt/${key}`, { as: ALICE })).status).toBe(404);
    }
    expect((await http(ots.url, 'GET', '/api/v2/receipt/recent', { as: ALICE })).body.records).toEqual([]);
    // The client refused before is served again (its count and its remembered refusal are gone), with its account.
    const after = await http(ots.url, 'POST', '/api/v1/share', { form: { secret: 'after reset' }, as: ALICE });
    expect(after.status).toBe(200);
    expect(after.body.custid).toBe(ALICE.email);
  });

  it('the typed method does the same', async () => {
    await control(ots.url, 'fixtures', { state: 'new' });
    await ots.control.reset();
    expect(ots.control.requests()).toEqual([]);
  });
});
