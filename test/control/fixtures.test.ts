// POST /__ots/fixtures: a secret and receipt in each state, read back by every API version as real ones are.
import { describe, expect, it } from 'vitest';
import { ALICE, control, http, receiptState, reveal, serveDouble } from './double.js';

const STATES = ['new', 'viewed', 'received', 'burned', 'expired', 'orphaned'] as const;
/** What each version calls the state (docs/contracts/ots-v2-api.md §4: viewing a receipt is no state in v2/v3). */
const V2_NAME = { new: 'new', viewed: 'new', received: 'revealed', burned: 'burned', expired: 'expired', orphaned: 'orphaned' };
const VERSIONS = ['v1', 'v2', 'v3'] as const;

describe('fixtures', () => {
  const ots = serveDouble();

  for (const version of VERSIONS) {
    for (const state of STATES) {
      it(`${state}: ${version} reads the receipt as ${version === 'v1' ? state : V2_NAME[state]}, and the secret as the state allows`, async () => {
        const f = await control(ots.url, 'fixtures', { state, secret: `value for ${state}` });
        expect(f).toEqual({ secret_key: expect.stringMatching(/^[0-9a-z]+$/), metadata_key: expect.stringMatching(/^[0-9a-z]+$/) });
        expect(await receiptState(ots.url, version, f.metadata_key)).toBe(version === 'v1' ? state : V2_NAME[state]);
        const revealed = await reveal(ots.url, version, f.secret_key);
        if (state === 'new' || state === 'viewed') {
          expect(revealed.status).toBe(200);
          expect(version === 'v1' ? revealed.body.value : revealed.body.record.secret_value).toBe(`value for ${state}`);
        } else {
          expect(revealed.status).toBe(404); // v1 compat and v2/v3 alike: the secret is gone
        }
      });
    }
  }

  it('with a passphrase: received and burned got there with it; a new one needs it to reveal', async () => {
    const received = await control(ots.url, 'fixtures', { state: 'received', passphrase: 'correct horse' });
    expect(await receiptState(ots.url, 'v1', received.metadata_key)).toBe('received');
    const burned = await control(ots.url, 'fixtures', { state: 'burned', passphrase: 'correct horse' });
    expect(await receiptState(ots.url, 'v2', burned.metadata_key)).toBe('burned');
    const fresh = await control(ots.url, 'fixtures', { state: 'new', secret: 's3', passphrase: 'correct horse' });
    expect((await reveal(ots.url, 'v2', fresh.secret_key)).status).not.toBe(200);
    expect((await reveal(ots.url, 'v2', fresh.secret_key, 'correct horse')).body.record.secret_value).toBe('s3');
  });

  it('with an account: the secret is its own (custid, its recent list) and the TTL is as asked', async () => {
    const f = await control(ots.url, 'fixtures', { state: 'new', account: ALICE.email, ttl: 7200 });
    const v1 = await http(ots.url, 'POST', `/api/v1/private/${f.metadata_key}`, { as: ALICE });
    expect(v1.body).toMatchObject({ custid: ALICE.email, ttl: 7200, state: 'new' });
    const recent = await http(ots.url, 'GET', '/api/v2/receipt/recent', { as: ALICE });
    expect(recent.body.records.map((r: { identifier: string }) => r.identifier)).toContain(f.metadata_key);
  });

  it('the typed method makes the same fixture', async () => {
    const f = await ots.control.fixture({ state: 'burned' });
    expect(await receiptState(ots.url, 'v3', f.metadata_key)).toBe('burned');
  });

  it('refuses what it cannot make with a 400 that says why', async () => {
    const bad = [
      [{ state: 'lost' }, /state must be one of new, viewed, received, burned, expired, orphaned/],
      [{ state: 'new', account: 'nobody@example.com' }, /no account nobody@example.com/],
      [{ state: 'new', ttl: 'soon' }, /ttl must be/],
      [{ state: 'new', passphrase: 7 }, /passphrase must be a string/],
    ] as const;
    for (const [json, message] of bad) {
      const reply = await http(ots.url, 'POST', '/__ots/fixtures', { json });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(message);
    }
  });
});
