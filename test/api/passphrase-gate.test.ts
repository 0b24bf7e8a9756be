// The passphrase gate (docs/api-v2.md, "The passphrase gate"; contract tests 89–94) through a real socket on both
// stores: only a request that commits (a reveal with `continue`, a burn not refused) reads a passphrase; every other
// answer is the same bytes for a right, a wrong and no guess, and is never counted. While a secret is locked, all of
// them answer 429, still whatever the guess. v1 always commits and is unchanged.
import { describe, expect, it } from 'vitest';
import { ALICE, STORE_KINDS } from '../support/app.js';
import { conceal, get, INCORRECT_PASSPHRASE, ok, post, postV1, revealV2, serve, V2, V3, type Reply } from './socket.js';

const RIGHT = 'right one';
const WRONG = 'wrong one';
const MAX_ATTEMPTS = 5; // PASSPHRASE_MAX_ATTEMPTS, the default
/** Each family's prefix: its secrets are under `${api}/secret`, its receipts under `${api}/receipt`. */
const FAMILIES = [V2, `${V2}/guest`, `${V3}/guest`];

describe.each(STORE_KINDS)('passphrase gate (%s store)', (kind) => {
  const clockMs = Date.now(); // the service's clock stands still; Redis TTLs still run on real time
  const s = serve(kind, { PASSPHRASE_MAX_ATTEMPTS: String(MAX_ATTEMPTS), PASSPHRASE_MIN_LENGTH: '4' }, { now: () => clockMs });

  /**
   * Asserts the replies are one answer: the same status, headers (but Date and the request id) and body bytes. On
   * Redis the seconds left (`secret_ttl`, `retry_after`) count down in real time, so only they may differ there.
   */
  const expectOneAnswer = (replies: Reply[]) => {
    const ticking = (text: string) => (kind === 'redis' ? text.replace(/"(secret_ttl|retry_after)":\d+/g, '"$1":"…"') : text);
    const headers = (r: Reply) =>
      [...r.headers].filter(([name]) => name !== 'date' && !name.includes('request-id') && (kind !== 'redis' || name !== 'retry-after'));
    for (const reply of replies.slice(1)) {
      expect(reply.status).toBe(replies[0]!.status);
      expect(headers(reply)).toEqual(headers(replies[0]!));
      expect(ticking(reply.text)).toBe(ticking(replies[0]!.text));
    }
  };
  const guarded = (api: string) => conceal(s, api, { secret: 'guarded', passphrase: RIGHT });
  const revealsWithRight = async (api: string, secretKey: string) =>
    expect(ok(await revealV2(s, api, secretKey, { passphrase: RIGHT })).record.secret_value).toBe('guarded');

  it.each(FAMILIES)('89 %s GET /secret/:id: right, wrong, wrong with continue, none → one answer; nothing read, nothing taken', async (api) => {
    const m = await guarded(api);
    const path = `${api}/secret/${m.secretKey}`;
    const replies = await Promise.all(
      [`?passphrase=right%20one`, `?passphrase=wrong`, `?passphrase=wrong&continue=true`, ''].map((q) => get(s, path + q)),
    );
    expectOneAnswer(replies);
    const shown = ok(replies[0]!);
    expect(shown.details).not.toHaveProperty('correct_passphrase');
    expect(shown.details.show_secret).toBe(false);
    expect(shown.record).not.toHaveProperty('secret_value');
    await revealsWithRight(api, m.secretKey);
  });

  it('89 /api/v3/secret/:id with Basic (§11.2): right, wrong, wrong with continue, none → one answer; nothing taken', async () => {
    const m = await conceal(s, V3, { secret: 'guarded', passphrase: RIGHT }, ALICE);
    const path = `${V3}/secret/${m.secretKey}`;
    const replies = await Promise.all(
      [`?passphrase=right%20one`, `?passphrase=wrong`, `?passphrase=wrong&continue=true`, ''].map((q) => get(s, path + q, ALICE)),
    );
    expectOneAnswer(replies);
    const shown = ok(replies[0]!);
    expect(shown.details).not.toHaveProperty('correct_passphrase');
    expect(shown.details).toMatchObject({ show_secret: false, is_owner: true });
    const held = await Promise.all([RIGHT, WRONG].map((passphrase) => post(s, `${path}/reveal`, { passphrase }, ALICE)));
    expectOneAnswer(held);
    expect(ok(await post(s, `${path}/reveal`, { continue: true, passphrase: RIGHT }, ALICE)).record.secret_value).toBe('guarded');
  });

  it.each(FAMILIES)('90 %s reveal without continue or with continue false: one 200 answer for right and wrong, nothing consumed', async (api) => {
    const m = await guarded(api);
    const bodies = [{ passphrase: RIGHT }, { passphrase: WRONG }, { passphrase: RIGHT, continue: false }, { passphrase: WRONG, continue: false }];
    const replies = await Promise.all(bodies.map((body) => post(s, `${api}/secret/${m.secretKey}/reveal`, body)));
    expectOneAnswer(replies);
    const held = ok(replies[0]!);
    expect(held.record).not.toHaveProperty('secret_value');
    expect(held.details).toMatchObject({ continue: false, show_secret: false });
    expect(held.details).not.toHaveProperty('correct_passphrase');
    const revealed = ok(await revealV2(s, api, m.secretKey, { passphrase: RIGHT }));
    expect(revealed.details).not.toHaveProperty('correct_passphrase');
    expect(revealed.details.show_secret).toBe(true);
  });

  it.each(FAMILIES)('91 %s burn with continue false: right and wrong → one 200 success false answer; the secret is intact', async (api) => {
    const m = await guarded(api);
    const burn = (passphrase: string) => post(s, `${api}/receipt/${m.receiptKey}/burn`, { continue: false, passphrase });
    const replies = [await burn(RIGHT), await burn(WRONG)];
    expectOneAnswer(replies);
    expect(ok(replies[0]!).success).toBe(false);
    await revealsWithRight(api, m.secretKey);
  });

  it('92 25 wrong guesses that do not commit are never counted: then the right one reveals', async () => {
    const m = await guarded(V2);
    const guesses = [
      () => get(s, `${V2}/secret/${m.secretKey}?passphrase=${WRONG}`),
      () => post(s, `${V2}/secret/${m.secretKey}/reveal`, { passphrase: WRONG }),
      () => post(s, `${V3}/guest/receipt/${m.receiptKey}/burn`, { continue: false, passphrase: WRONG }),
    ];
    for (let i = 0; i < 25; i++) expect((await guesses[i % guesses.length]!()).status).toBe(200);
    await revealsWithRight(V2, m.secretKey);
  });

  it('93 wrong guesses that commit count: 422 five times, then 429 for every look, reveal and burn, whatever the guess', async () => {
    const m = await guarded(V2);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const wrong = await revealV2(s, V2, m.secretKey, { passphrase: `${WRONG} ${i}` });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toEqual(INCORRECT_PASSPHRASE);
    }
    const locked = await revealV2(s, V2, m.secretKey, { passphrase: RIGHT });
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ error_type: 'LimitExceeded', retry_after: expect.any(Number) });
    const pairs: [string, (guess: string) => Promise<Reply>][] = [
      ['show', (guess) => get(s, `${V2}/secret/${m.secretKey}?passphrase=${encodeURIComponent(guess)}`)],
      ['guest show', (guess) => get(s, `${V3}/guest/secret/${m.secretKey}?passphrase=${encodeURIComponent(guess)}`)],
      ['reveal, no continue', (guess) => post(s, `${V2}/secret/${m.secretKey}/reveal`, { passphrase: guess })],
      ['reveal', (guess) => revealV2(s, V2, m.secretKey, { passphrase: guess })],
      ['burn, continue false', (guess) => post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: false, passphrase: guess })],
      ['burn', (guess) => post(s, `${V2}/receipt/${m.receiptKey}/burn`, { continue: true, passphrase: guess })],
    ];
    for (const [what, request] of pairs) {
      const replies = [await request(RIGHT), await request(WRONG)];
      expect(replies.map((r) => r.status), what).toEqual([429, 429]);
      expect(replies[0]!.body.error_type, what).toBe('LimitExceeded');
      expectOneAnswer(replies);
    }
    // Nothing was consumed: the receipt still waits for its reader.
    expect(ok(await get(s, `${V2}/receipt/${m.receiptKey}`)).record.state).toBe('new');
  });

  it('94 v1 always commits: a wrong passphrase → Unknown secret, as before; the right one reveals', async () => {
    const m = await guarded(V2);
    const wrong = await postV1(s, `/secret/${m.secretKey}`, { passphrase: WRONG });
    expect(wrong.status).toBe(404);
    expect(wrong.body.message).toBe('Unknown secret');
    expect(ok(await postV1(s, `/secret/${m.secretKey}`, { passphrase: RIGHT })).value).toBe('guarded');
  });
});
