// POST /__ots/clock: the one clock behind TTLs, expiry, receipt states, rate windows and every reported timestamp.
import { beforeEach, describe, expect, it } from 'vitest';
import { control, http, receiptState, reveal, serveDouble, type Reply } from './double.js';

const PINNED = 1_900_000_000;

/** Shares a secret through each version's create route; answers its keys. */
async function share(url: string, version: 'v1' | 'v2' | 'v3', ttl: number): Promise<{ secret: string; receipt: string; reply: Reply }> {
  if (version === 'v1') {
    const reply = await http(url, 'POST', '/api/v1/share', { form: { secret: 'tick', ttl: String(ttl) } });
    return { secret: reply.body.secret_key, receipt: reply.body.metadata_key, reply };
  }
  const path = version === 'v2' ? '/api/v2/secret/conceal' : '/api/v3/guest/secret/conceal';
  const reply = await http(url, 'POST', path, { json: { secret: { secret: 'tick', ttl } } });
  return { secret: reply.body.record?.secret.identifier, receipt: reply.body.record?.receipt.identifier, reply };
}

describe('the clock', () => {
  const ots = serveDouble();
  beforeEach(() => control(ots.url, 'reset'));

  it('set pins it: every version reports the pinned time as created; GET /__ots/clock reads it', async () => {
    expect(await control(ots.url, 'clock', { set: PINNED })).toEqual({ now: PINNED });
    expect((await share(ots.url, 'v1', 300)).reply.body.created).toBe(PINNED);
    expect((await share(ots.url, 'v2', 300)).reply.body.record.receipt.created).toBe(PINNED);
    expect((await share(ots.url, 'v3', 300)).reply.body.record.receipt.created).toBe(PINNED);
    expect((await http(ots.url, 'GET', '/__ots/clock')).body).toEqual({ now: PINNED });
  });

  for (const version of ['v1', 'v2', 'v3'] as const) {
    it(`advancing past the TTL expires a ${version} secret as time would: gone to every version, receipt expired`, async () => {
      await control(ots.url, 'clock', { set: PINNED });
      const s = await share(ots.url, version, 60);
      await control(ots.url, 'clock', { advance: 59 });
      const alive = await http(ots.url, 'GET', `/api/v2/receipt/${s.receipt}`);
      expect(alive.body).toMatchObject({ record: { state: 'new' }, details: { secret_realttl: 1 } });
      expect(await control(ots.url, 'clock', { advance: 1 })).toEqual({ now: PINNED + 60 });
      for (const v of ['v1', 'v2', 'v3'] as const) expect((await reveal(ots.url, v, s.secret)).status).toBe(404);
      expect(await receiptState(ots.url, 'v1', s.receipt)).toBe('expired');
      expect(await receiptState(ots.url, 'v2', s.receipt)).toBe('expired');
      expect(await receiptState(ots.url, 'v3', s.receipt)).toBe('expired');
    });
  }

  it('an expired fixture moves no other secret', async () => {
    await control(ots.url, 'clock', { set: PINNED });
    const other = await share(ots.url, 'v2', 600);
    const expired = await control(ots.url, 'fixtures', { state: 'expired', ttl: 600 });
    expect(await receiptState(ots.url, 'v2', expired.metadata_key)).toBe('expired');
    const receipt = await http(ots.url, 'GET', `/api/v2/receipt/${other.receipt}`);
    expect(receipt.body).toMatchObject({ record: { state: 'new', created: PINNED }, details: { secret_realttl: 600 } });
    expect((await reveal(ots.url, 'v1', other.secret)).body.value).toBe('tick');
  });

  it('the typed method moves the same clock; reset returns it to real time', async () => {
    expect(ots.control.clock({ set: PINNED, advance: 10 })).toEqual({ now: PINNED + 10 });
    expect((await http(ots.url, 'GET', '/__ots/clock')).body).toEqual({ now: PINNED + 10 });
    await ots.control.reset();
    expect(Math.abs(ots.control.clock().now - Date.now() / 1000)).toBeLessThan(5);
  });

  it('refuses what is not a number', async () => {
    const reply = await http(ots.url, 'POST', '/__ots/clock', { json: { advance: 'later' } });
    expect(reply).toMatchObject({ status: 400, body: { error: 'advance must be a number' } });
  });
});

describe('the clock moves rate windows', () => {
  const ots = serveDouble({ rateLimitCreate: 2, rateLimitWindow: 60 });

  it('a client past its budget is refused until the clock passes its window', async () => {
    await control(ots.url, 'clock', { set: PINNED });
    for (let i = 0; i < 2; i++) expect((await share(ots.url, 'v2', 60)).reply.status).toBe(200);
    const refused = await share(ots.url, 'v2', 60);
    expect(refused.reply.status).toBe(429);
    expect(refused.reply.headers.get('retry-after')).toBe('60');
    await control(ots.url, 'clock', { advance: 60 });
    expect((await share(ots.url, 'v2', 60)).reply.status).toBe(200);
  });
});
