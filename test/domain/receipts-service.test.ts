// The rules the routes used to hold, now the service's, on both stores: a look at a locked secret, a burn that does
// not commit, memo ownership, v2's recent window and order beside v1's list, and the batch cap.
import { afterAll, describe, expect, it } from 'vitest';
import { OtsError } from '../../src/domain/errors.js';
import { ANONYMOUS, BATCH_MAX, RECENT_WINDOW_SECONDS, SecretsService, type Actor } from '../../src/domain/secrets-service.js';
import type { SecretStore, Store } from '../../src/domain/store.js';
import { makeStore, STORE_KINDS, testConfig } from '../support/app.js';

const silent = { error: () => {} };
const ALICE: Actor = { custid: 'alice@example.com', isAccount: true };
const BOB: Actor = { custid: 'bob@example.com', isAccount: true };
const DAY = 24 * 3600;

/** The code of the OtsError a call refuses with. */
async function refusal(call: Promise<unknown>): Promise<string> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OtsError);
  return (err as OtsError).code;
}

describe.each(STORE_KINDS)('SecretsService rules (%s store)', (kind) => {
  // The service's clock; the store keeps real time, so moving this clock expires nothing.
  let clockMs = Date.now();
  let store: SecretStore;
  const opened: Store[] = [];
  afterAll(() => Promise.all(opened.map((o) => o.close())));
  const service = async () => {
    const config = testConfig({ PASSPHRASE_MAX_ATTEMPTS: '2' });
    opened.push(await makeStore(kind));
    store = opened.at(-1)!.secrets;
    return new SecretsService(store, config, [config.secret], silent, {}, () => clockMs);
  };

  it('a look answers the facts until the secret is locked, then refuses; the status look still answers', async () => {
    const s = await service();
    const { receipt } = await s.share({ secret: 'guarded', passphrase: 'right one' }, ANONYMOUS);
    expect(await s.look(receipt.secretKey)).toMatchObject({ passphraseProtected: true });
    for (let i = 0; i < 2; i++) expect(await refusal(s.reveal(receipt.secretKey, `wrong ${i}`))).toBe('wrong_passphrase');
    expect(await refusal(s.look(receipt.secretKey))).toBe('too_many_attempts');
    expect(await s.inspect(receipt.secretKey)).toMatchObject({ passphraseProtected: true });
  });

  it('a burn that does not commit answers the receipt unburned, and is refused while the secret is locked', async () => {
    const s = await service();
    const { receipt } = await s.share({ secret: 'guarded', passphrase: 'right one' }, ANONYMOUS);
    const held = await s.burnIfCommitted(receipt.metadataKey, 'wrong', ANONYMOUS, false);
    expect(held).toMatchObject({ burned: false, snapshot: { receipt: { metadataKey: receipt.metadataKey } } });
    for (let i = 0; i < 2; i++) expect(await refusal(s.burn(receipt.metadataKey, `wrong ${i}`, ANONYMOUS))).toBe('incorrect_passphrase');
    expect(await refusal(s.burnIfCommitted(receipt.metadataKey, 'right one', ANONYMOUS, false))).toBe('too_many_attempts');
  });

  it('only the owning account sets a memo; a refused call without memo changes nothing', async () => {
    const s = await service();
    const { receipt } = await s.share({ secret: 'memo' }, ALICE);
    expect(await refusal(s.setMemo(receipt.metadataKey, undefined, BOB))).toBe('not_memo_owner');
    expect(await refusal(s.setMemo(receipt.metadataKey, undefined, ANONYMOUS))).toBe('not_memo_owner');
    expect((await s.viewReceipt(receipt.metadataKey, ALICE)).receipt.state).toBe('new'); // the first view
    expect((await s.setMemo(receipt.metadataKey, '<b>hi</b>  there', ALICE)).receipt.memo).toBe('hi there');
    expect(s.isOwner(ALICE.custid, ALICE)).toBe(true);
    expect(s.isOwner(ALICE.custid, BOB)).toBe(false);
    expect(s.isOwner('anon', ANONYMOUS)).toBe(false);
  });

  it("v2's recent: the last 30 days, most recently changed first; v1's: all kept, newest created first", async () => {
    const s = await service();
    const start = Date.now();
    const at = async (secondsAgo: number, secret: string) => {
      clockMs = start - secondsAgo * 1000;
      return (await s.share({ secret, ttl: String(30 * DAY) }, ALICE)).receipt;
    };
    const old = await at(RECENT_WINDOW_SECONDS + DAY, 'old');
    const older = await at(2 * DAY, 'older');
    const newer = await at(DAY, 'newer');
    clockMs = start;
    await s.reveal(older.secretKey, undefined); // changed now: moves up
    const recent = await s.recentlyChanged(ALICE);
    expect(recent.now - recent.since).toBe(RECENT_WINDOW_SECONDS);
    expect(recent.receipts.map((r) => r.receipt.metadataKey)).toEqual([older.metadataKey, newer.metadataKey]);
    expect((await s.recent(ALICE)).map((r) => r.receipt.metadataKey)).toEqual([newer.metadataKey, older.metadataKey, old.metadataKey]);
    expect(await refusal(s.recentlyChanged(ANONYMOUS))).toBe('not_authorized');
  });

  it(`a batch names at most ${BATCH_MAX} identifiers, counted before anything is looked up`, async () => {
    const s = await service();
    const { receipt } = await s.share({ secret: 'batch' }, ANONYMOUS);
    const keys = Array.from({ length: BATCH_MAX + 1 }, () => receipt.metadataKey);
    expect(await refusal(s.viewReceipts(keys, ANONYMOUS))).toBe('too_many_identifiers');
    expect((await store.getReceipt(receipt.metadataKey))?.receipt.state).toBe('new'); // a view would make it viewed
    expect(await refusal(s.inspectMany(keys.map(() => receipt.secretKey)))).toBe('too_many_identifiers');
    expect(await s.viewReceipts(keys.slice(0, BATCH_MAX), ANONYMOUS)).toHaveLength(BATCH_MAX);
    expect(await s.inspectMany([receipt.secretKey, 'x'.repeat(31)])).toHaveLength(1);
  });
});
