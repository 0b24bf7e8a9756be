// Passphrase-protected secrets (contract §4 "Passphrase", "Guessing"): a wrong or missing passphrase looks exactly
// like an unknown key and consumes nothing; wrong guesses are limited per secret, reveal and burn together, and
// past the limit even the right passphrase is refused until the window ends, however many guesses arrive at once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeApp, STORE_KINDS, type TestApp } from '../../support/app.js';
import { burn, expectError, ok, postForm, reveal, share, type Response } from '../wire.js';

const PASS = 'correct horse battery staple';
const RATE_LIMITED = 'Rate limit exceeded. Please try again later.';
const DEFAULT_WINDOW = 600;

interface Protected {
  value: string;
  secretKey: string;
  metadataKey: string;
}

async function protectedSecret(t: TestApp): Promise<Protected> {
  const value = `protected ${randomUUID()}`;
  const receipt = await share(t, { secret: value, passphrase: PASS });
  expect(receipt.passphrase_required).toBe(true);
  return { value, secretKey: receipt.secret_key!, metadataKey: receipt.metadata_key };
}

const isRateLimited = (res: Response) => res.json<{ message: string }>().message === RATE_LIMITED;

/** The rate-limit error with a whole-seconds Retry-After within the window; returns Retry-After. */
function expectRateLimited(res: Response, windowSeconds = DEFAULT_WINDOW): number {
  expectError(res, RATE_LIMITED, 429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= windowSeconds, `Retry-After ${retryAfter}`).toBe(true);
  return retryAfter;
}

/** Everything a client can see of a response except its Date header. */
function observable(res: Response) {
  const headers: Record<string, unknown> = { ...res.headers };
  delete headers.date;
  return { status: res.statusCode, headers, body: res.body };
}

/** An app whose wrong passphrase checks are counted (the service's wrongPassphrase event). */
async function countingApp(kind: (typeof STORE_KINDS)[number], env: Record<string, string> = {}, now?: () => number) {
  const counter = { wrongChecks: 0 };
  const t = await makeApp(kind, env, { now, events: { wrongPassphrase: () => counter.wrongChecks++ } });
  return { t, counter };
}

describe.each(STORE_KINDS)('passphrases (%s store)', (kind) => {
  let t: TestApp;
  let counter: { wrongChecks: number };
  beforeAll(async () => {
    ({ t, counter } = await countingApp(kind));
  });
  afterAll(() => t.close());

  it('a wrong, missing or empty passphrase answers exactly like an unknown key and consumes nothing', async () => {
    const s = await protectedSecret(t);
    const refusals = [
      await reveal(t, s.secretKey, { passphrase: 'wrong' }),
      await reveal(t, s.secretKey),
      await reveal(t, s.secretKey, { passphrase: '' }),
      await postForm(t, `/api/v1/secret/${s.secretKey}?passphrase=also-wrong`),
    ];
    expect(ok(await reveal(t, s.secretKey, { passphrase: PASS })).value).toBe(s.value);

    // The same key now really is unknown: every earlier refusal must be indistinguishable from this answer.
    const unknown = await reveal(t, s.secretKey, { passphrase: PASS });
    expectError(unknown, 'Unknown secret', 404, { secret_key: s.secretKey });
    for (const refusal of refusals) expect(observable(refusal)).toEqual(observable(unknown));
  });

  it('after 5 wrong guesses (the default limit) even the right passphrase gets the rate-limit answer', async () => {
    const s = await protectedSecret(t);
    for (let i = 0; i < 5; i++) {
      expectError(await reveal(t, s.secretKey, { passphrase: `guess ${i}` }), 'Unknown secret', 404, { secret_key: s.secretKey });
    }
    expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }));
    expectRateLimited(await reveal(t, s.secretKey));
    expectRateLimited(await burn(t, s.metadataKey, { passphrase: PASS }));
    // Locked, not consumed: the receipt still shows the secret waiting.
    expect(ok(await postForm(t, `/api/v1/private/${s.metadataKey}`)).state).toMatch(/^(new|viewed)$/);
  });

  it('20 concurrent wrong guesses with a limit of 5: exactly 5 are checked, the rest are rate limited', async () => {
    const s = await protectedSecret(t);
    const before = counter.wrongChecks;
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reveal(t, s.secretKey, { passphrase: `concurrent guess ${i}` })),
    );
    expect(counter.wrongChecks - before).toBe(5);
    const limited = replies.filter(isRateLimited);
    expect(limited).toHaveLength(15);
    limited.forEach((res) => expectRateLimited(res));
    replies
      .filter((res) => !isRateLimited(res))
      .forEach((res) => expectError(res, 'Unknown secret', 404, { secret_key: s.secretKey }));
    expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }));
  });

  it('the right passphrase sent among 19 concurrent wrong ones: never more than 5 checks (3 secrets)', async () => {
    for (const position of [0, 9, 19]) {
      const s = await protectedSecret(t);
      const before = counter.wrongChecks;
      const forms = Array.from({ length: 20 }, (_, i) => ({ passphrase: i === position ? PASS : `guess ${i}` }));
      const replies = await Promise.all(forms.map((form) => reveal(t, s.secretKey, form)));

      const revealed = replies.filter((res) => res.statusCode === 200);
      expect(revealed.length).toBeLessThanOrEqual(1);
      expect(counter.wrongChecks - before + revealed.length, `right one at ${position}`).toBeLessThanOrEqual(5);
      if (revealed.length === 1) {
        expect(revealed[0]!.json()).toMatchObject({ value: s.value });
        expect(replies[position]!.statusCode).toBe(200);
        expectError(await reveal(t, s.secretKey, { passphrase: PASS }), 'Unknown secret', 404, { secret_key: s.secretKey });
      } else {
        expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }));
      }
    }
  });

  it('burning a protected secret needs its passphrase: missing or wrong → Incorrect passphrase, right → burned', async () => {
    const s = await protectedSecret(t);
    expectError(await burn(t, s.metadataKey), 'Incorrect passphrase', 400);
    expectError(await burn(t, s.metadataKey, { passphrase: 'wrong' }), 'Incorrect passphrase', 400);
    const burned = ok<{ state: Record<string, unknown>; secret_shortkey: string }>(
      await burn(t, s.metadataKey, { passphrase: PASS }),
    );
    expect(burned.state).toMatchObject({ state: 'burned', secret_key: '', secret_ttl: null });
    expect(burned.state).not.toHaveProperty('passphrase_required');
    expect(burned.secret_shortkey).toBe(s.secretKey.slice(0, 6));
    expectError(await reveal(t, s.secretKey, { passphrase: PASS }), 'Unknown secret', 404, { secret_key: s.secretKey });
  });

  it('wrong burn passphrases and wrong reveal passphrases share one limit per secret', async () => {
    const s = await protectedSecret(t);
    for (let i = 0; i < 3; i++) expectError(await burn(t, s.metadataKey, { passphrase: `burn guess ${i}` }), 'Incorrect passphrase', 400);
    for (let i = 0; i < 2; i++) {
      expectError(await reveal(t, s.secretKey, { passphrase: `reveal guess ${i}` }), 'Unknown secret', 404, { secret_key: s.secretKey });
    }
    expectRateLimited(await burn(t, s.metadataKey, { passphrase: PASS }));
    expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }));
  });

  it('the limit is per secret: a locked secret does not lock another one', async () => {
    const locked = await protectedSecret(t);
    const other = await protectedSecret(t);
    for (let i = 0; i < 5; i++) await reveal(t, locked.secretKey, { passphrase: `guess ${i}` });
    expectRateLimited(await reveal(t, locked.secretKey, { passphrase: PASS }));
    expect(ok(await reveal(t, other.secretKey, { passphrase: PASS })).value).toBe(other.value);
  });
});

describe.each(STORE_KINDS)('the guessing window ends in real time (%s store)', (kind) => {
  const WINDOW = 2;
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { PASSPHRASE_MAX_ATTEMPTS: '2', PASSPHRASE_WINDOW: String(WINDOW) });
  });
  afterAll(() => t.close());

  it(`locked after 2 wrong guesses, then the right passphrase works once the ${WINDOW} s window is over`, async () => {
    const s = await protectedSecret(t);
    // Concurrently, so both guesses surely land inside the short window.
    await Promise.all([reveal(t, s.secretKey, { passphrase: 'one' }), reveal(t, s.secretKey, { passphrase: 'two' })]);
    expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }), WINDOW);
    // Refused attempts do not extend the lockout, so polling with the right passphrase ends as soon as it lifts.
    const status = await vi.waitFor(
      async () => {
        const res = await reveal(t, s.secretKey, { passphrase: PASS });
        expect(res.json()).toMatchObject({ value: s.value });
        return res.statusCode;
      },
      { timeout: (WINDOW + 8) * 1000, interval: 100 },
    );
    expect(status).toBe(200);
  });
});

describe('the guessing window on the memory store clock', () => {
  let clockMs = Date.now();
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('memory', {}, { now: () => clockMs });
  });
  afterAll(() => t.close());

  it('Retry-After counts down with the clock and the secret opens when the 600 s window is over', async () => {
    const s = await protectedSecret(t);
    for (let i = 0; i < 5; i++) await reveal(t, s.secretKey, { passphrase: `guess ${i}` });
    expect(expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }))).toBe(DEFAULT_WINDOW);
    clockMs += 100_000;
    expect(expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }))).toBe(DEFAULT_WINDOW - 100);
    clockMs += (DEFAULT_WINDOW - 101) * 1000;
    expect(expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }))).toBe(1);
    // The last fraction of a second is still "retry after 1 s", not a fresh full window.
    clockMs += 500;
    expect(expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }))).toBe(1);
    clockMs += 500;
    expect(ok(await reveal(t, s.secretKey, { passphrase: PASS })).value).toBe(s.value);
  });

  it('a new window starts with a full allowance of guesses', async () => {
    const s = await protectedSecret(t);
    for (let i = 0; i < 5; i++) await reveal(t, s.secretKey, { passphrase: `guess ${i}` });
    expectRateLimited(await reveal(t, s.secretKey, { passphrase: PASS }));
    clockMs += DEFAULT_WINDOW * 1000;
    for (let i = 0; i < 4; i++) {
      expectError(await reveal(t, s.secretKey, { passphrase: `again ${i}` }), 'Unknown secret', 404, { secret_key: s.secretKey });
    }
    expect(ok(await reveal(t, s.secretKey, { passphrase: PASS })).value).toBe(s.value);
  });
});
