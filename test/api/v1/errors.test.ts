// Errors (the v1 contract of docs/api-v1.md, §5): every failure is {"message": ...} with the exact text clients match on,
// HTTP 404 in compat mode with X-OTS-Intended-Status, or the intended status itself with API_ERROR_STATUS=intended.
// Malformed input of any kind is a contract error, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../../src/store/redis-client.js';
import { RedisStore } from '../../../src/store/redis-store.js';
import { ALICE, makeApp, STORE_KINDS, type TestApp } from '../../support/app.js';
import { freePort } from '../../support/redis-server.js';
import {
  burn,
  burnedState,
  expectError,
  get,
  JSON_TYPE,
  ok,
  postForm,
  postJson,
  postRaw,
  reveal,
  share,
  type Response,
} from '../wire.js';

const UNKNOWN_KEY = 'a'.repeat(31);

describe.each(STORE_KINDS)('errors, compat mode (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { PASSPHRASE_MAX_ATTEMPTS: '2' });
  });
  afterAll(() => t.close());

  describe('Unknown secret, with the key as sent', () => {
    it('for a key that never existed, and for one that is not even well-formed', async () => {
      expectError(await reveal(t, UNKNOWN_KEY), 'Unknown secret', 404, { secret_key: UNKNOWN_KEY });
      expectError(await reveal(t, 'NOT-a-key'), 'Unknown secret', 404, { secret_key: 'NOT-a-key' });
      expectError(await reveal(t, 'k'.repeat(65)), 'Unknown secret', 404, { secret_key: 'k'.repeat(65) });
    });

    it('for a key longer than any router limit, on every route that takes a key (issue 13)', async () => {
      const long = 'k'.repeat(500);
      expectError(await reveal(t, long), 'Unknown secret', 404, { secret_key: long });
      for (const base of ['/private', '/metadata', '/receipt']) {
        expectError(await get(t, `/api/v1${base}/${long}`), 'Unknown secret', 404, { secret_key: long });
        expectError(await postForm(t, `/api/v1${base}/${long}`), 'Unknown secret', 404, { secret_key: long });
        expectError(await burn(t, long), 'Unknown secret', 404, { secret_key: long });
      }
      const huge = 'k'.repeat(8000);
      expectError(await reveal(t, huge), 'Unknown secret', 404, { secret_key: huge });
    });

    it('for such a key on the v2 and v3 routes too: RecordNotFound, or state unknown on status', async () => {
      const long = 'k'.repeat(500);
      const json = { 'content-type': 'application/json' };
      const cases: [string, string, string][] = [
        ['GET', `/api/v2/secret/${long}`, 'Unknown secret'],
        ['POST', `/api/v2/secret/${long}/reveal`, 'Unknown secret'],
        ['POST', `/api/v3/guest/secret/${long}/reveal`, 'Unknown secret'],
        ['GET', `/api/v2/receipt/${long}`, 'Unknown receipt'],
        ['POST', `/api/v2/private/${long}/burn`, 'Unknown receipt'],
        ['GET', `/api/v3/guest/receipt/${long}`, 'Unknown receipt'],
      ];
      for (const [method, url, error] of cases) {
        const res = await t.app.inject({ method: method as 'GET', url, headers: json, payload: method === 'POST' ? '{"continue":true}' : undefined });
        expect(res.statusCode, url).toBe(404);
        expect(res.json(), url).toEqual({ error, error_type: 'RecordNotFound' });
      }
      const status = await t.app.inject({ url: `/api/v2/secret/${long}/status` });
      expect(status.json()).toEqual({ success: true, record: { state: 'unknown' } });
    });

    it('for a secret already read, or burned', async () => {
      const read = await share(t, { secret: 'x' });
      ok(await reveal(t, read.secret_key!));
      expectError(await reveal(t, read.secret_key!), 'Unknown secret', 404, { secret_key: read.secret_key! });
      const burned = await share(t, { secret: 'x' });
      ok(await burn(t, burned.metadata_key));
      expectError(await reveal(t, burned.secret_key!), 'Unknown secret', 404, { secret_key: burned.secret_key! });
    });

    it('for a wrong or missing passphrase, which does not consume the secret', async () => {
      const { secret_key } = await share(t, { secret: 'guarded', passphrase: 'right' });
      expectError(await reveal(t, secret_key!), 'Unknown secret', 404, { secret_key: secret_key! });
      expectError(await reveal(t, secret_key!, { passphrase: 'wrong' }), 'Unknown secret', 404, {
        secret_key: secret_key!,
      });
      expect(ok(await reveal(t, secret_key!, { passphrase: 'right' })).value).toBe('guarded');
    });

    it('for an unknown receipt, on view and on burn', async () => {
      expectError(await get(t, `/api/v1/private/${UNKNOWN_KEY}`), 'Unknown secret', 404, { secret_key: UNKNOWN_KEY });
      expectError(await burn(t, UNKNOWN_KEY), 'Unknown secret', 404, { secret_key: UNKNOWN_KEY });
    });

    it('for burning a receipt whose secret was already read', async () => {
      const { metadata_key, secret_key } = await share(t, { secret: 'x' });
      ok(await reveal(t, secret_key!));
      expectError(await burn(t, metadata_key), 'Unknown secret', 404, { secret_key: metadata_key });
    });
  });

  it('You did not provide anything to share: share without a secret', async () => {
    expectError(await postForm(t, '/api/v1/share'), 'You did not provide anything to share', 400);
    const onlyPassphrase = await postJson(t, '/api/v1/share', { passphrase: 'only' });
    expectError(onlyPassphrase, 'You did not provide anything to share', 400);
  });

  it('Incorrect passphrase: burning a protected secret without the right passphrase', async () => {
    const { metadata_key, secret_key } = await share(t, { secret: 'x', passphrase: 'right' });
    expectError(await burn(t, metadata_key), 'Incorrect passphrase', 400);
    expectError(await burn(t, metadata_key, { passphrase: 'nope' }), 'Incorrect passphrase', 400);
    // One missing and one wrong passphrase stay within PASSPHRASE_MAX_ATTEMPTS=2: the right one still burns.
    expect(burnedState(await burn(t, metadata_key, { passphrase: 'right' }))).toBe('burned');
    const late = await reveal(t, secret_key!, { passphrase: 'right' });
    expectError(late, 'Unknown secret', 404, { secret_key: secret_key! });
  });

  it('Rate limit exceeded: past the guessing limit, with Retry-After, even for the right passphrase', async () => {
    const { secret_key } = await share(t, { secret: 'x', passphrase: 'right' });
    for (let i = 0; i < 2; i++) ok404(await reveal(t, secret_key!, { passphrase: `wrong${i}` }));
    const limited = await reveal(t, secret_key!, { passphrase: 'right' });
    expectError(limited, 'Rate limit exceeded. Please try again later.', 429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 600).toBe(true);
  });

  it('Not authorized: an account-only route without an account', async () => {
    expectError(await get(t, '/api/v1/authcheck'), 'Not authorized', 401);
  });

  it('Not Found: an unrouted path, whatever the method', async () => {
    expectError(await get(t, '/api/v1/unknown'), 'Not Found', 404);
    expectError(await t.app.inject({ method: 'DELETE', url: `/api/v1/private/${UNKNOWN_KEY}` }), 'Not Found', 404);
    expectError(await get(t, `/api/v1/secret/${UNKNOWN_KEY}`), 'Not Found', 404);
  });

  describe('malformed input is a contract error, never a 500', () => {
    const send = (contentType: string, payload: string | Buffer) => postRaw(t, contentType, payload);

    it('bad JSON → Bad request', async () => {
      expectError(await send('application/json', '{"secret": "x"'), 'Bad request', 400);
      expectError(await send('application/json', 'secret=x'), 'Bad request', 400);
    });

    it('a JSON body that is not an object carries no parameters', async () => {
      for (const body of ['[1, 2]', '"secret"', '42', 'null']) {
        expectError(await send('application/json', body), 'You did not provide anything to share', 400);
      }
    });

    it('invalid UTF-8 or percent-encoding → Bad request, in a body or in the query string', async () => {
      const invalid = Buffer.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x3d, 0xff, 0xfe]); // "secret=" + bad bytes
      expectError(await send('application/x-www-form-urlencoded', invalid), 'Bad request', 400);
      expectError(await send('application/x-www-form-urlencoded', 'secret=%FF'), 'Bad request', 400);
      expectError(await send('application/json', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), 'Bad request', 400);
      expectError(await t.app.inject({ method: 'POST', url: '/api/v1/share?secret=%E0%A4' }), 'Bad request', 400);
    });

    it('an unknown or unparseable Content-Type → Unsupported Media Type', async () => {
      expectError(await send('application/xml', '<secret>x</secret>'), 'Unsupported Media Type', 415);
      expectError(await send('multipart/mixed; boundary=b', '--b--'), 'Unsupported Media Type', 415);
      expectError(await send(';;;', 'secret=x'), 'Unsupported Media Type', 415);
    });

    it('multipart without a boundary → Bad request (busboy would throw)', async () => {
      expectError(await send('multipart/form-data', 'secret=x'), 'Bad request', 400);
    });

    it('multipart with a file part is refused (fields only)', async () => {
      const body = [
        '--b',
        'Content-Disposition: form-data; name="secret"; filename="s.txt"',
        'Content-Type: text/plain',
        '',
        'x',
        '--b--',
        '',
      ].join('\r\n');
      expectContractError(await send('multipart/form-data; boundary=b', body));
    });

    it('multipart truncated mid-part carries no secret: no part ever completes, a malformed body (issue 22)', async () => {
      const body = '--b\r\nContent-Disposition: form-data; name="secret"\r\n\r\nunterminated';
      expectError(await send('multipart/form-data; boundary=b', body), 'Bad request', 400);
    });
  });
});

describe.each(STORE_KINDS)('errors, API_ERROR_STATUS=intended (%s store)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(kind, { API_ERROR_STATUS: 'intended', PASSPHRASE_MAX_ATTEMPTS: '1' });
  });
  afterAll(() => t.close());

  /** The real status, the same header and the same body as compat mode. */
  const expectIntended = (res: Response, message: string, status: number) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toBe(JSON_TYPE);
    expect(res.headers['x-ots-intended-status']).toBe(String(status));
    expect(res.json()).toMatchObject({ message });
  };

  it('sends each error with its intended status', async () => {
    expectIntended(await reveal(t, UNKNOWN_KEY), 'Unknown secret', 404);
    expect((await reveal(t, UNKNOWN_KEY)).json()).toEqual({ message: 'Unknown secret', secret_key: UNKNOWN_KEY });
    expectIntended(await postForm(t, '/api/v1/share'), 'You did not provide anything to share', 400);
    expectIntended(await get(t, '/api/v1/private/recent'), 'Not authorized', 401);
    expectIntended(
      await postForm(t, '/api/v1/share', { secret: 'x', recipient: 'john@mail.org' }),
      'An account is required to send emails.',
      403,
    );
    expectIntended(
      await postForm(t, '/api/v1/share', { secret: 'a'.repeat(10_001) }),
      'Secret value exceeds the maximum size of 10000 bytes',
      413,
    );
    expectIntended(
      await postForm(t, '/api/v1/share', { secret: 'x', passphrase: 'p'.repeat(129) }),
      'Passphrase must be no more than 128 characters long',
      400,
    );
    expectIntended(await get(t, '/api/v1/nowhere'), 'Not Found', 404);
    expectIntended(await postRaw(t, 'application/json', '{'), 'Bad request', 400);
    expectIntended(await postRaw(t, 'application/xml', '<x/>'), 'Unsupported Media Type', 415);
  });

  it('sends 429 with Retry-After past the guessing limit', async () => {
    const { secret_key } = await share(t, { secret: 'x', passphrase: 'right' });
    expectIntended(await reveal(t, secret_key!, { passphrase: 'wrong' }), 'Unknown secret', 404);
    const limited = await reveal(t, secret_key!, { passphrase: 'right' });
    expectIntended(limited, 'Rate limit exceeded. Please try again later.', 429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('still answers successes with 200', async () => {
    expect(ok(await postForm(t, '/api/v1/share', { secret: 'x' }, ALICE))).toHaveProperty('metadata_key');
  });
});

describe("errors: the store unreachable → We'll be back shortly!", () => {
  let t: TestApp;
  beforeAll(async () => {
    // A Redis store whose server is not there: nothing listens on the port.
    const store = new RedisStore(createRedisClient(`redis://127.0.0.1:${await freePort()}`), 'down:');
    t = await makeApp('redis', {}, { store });
  });
  afterAll(() => t.close());

  it('answers 503 (intended) for store-backed routes, and /status says offline', async () => {
    expect(ok(await get(t, '/api/v1/status'))).toEqual({ status: 'offline', locale: 'en' });
    expectError(await postForm(t, '/api/v1/share', { secret: 'x' }), "We'll be back shortly!", 503);
    expectError(await reveal(t, UNKNOWN_KEY), "We'll be back shortly!", 503);
    expectError(await get(t, `/api/v1/private/${UNKNOWN_KEY}`), "We'll be back shortly!", 503);
  });

  it('does not tell a caller with credentials that they are Not authorized', async () => {
    expectError(await postForm(t, '/api/v1/share', { secret: 'x' }, ALICE), "We'll be back shortly!", 503);
    expectError(await get(t, '/api/v1/private/recent', ALICE), "We'll be back shortly!", 503);
  });
});

/** A refusal in the contract's shape with a 4xx intended status and a message only. */
function expectContractError(res: Response): void {
  expect(res.statusCode, res.body).toBe(404);
  expect(res.headers['content-type']).toBe(JSON_TYPE);
  const intended = Number(res.headers['x-ots-intended-status']);
  expect(intended >= 400 && intended < 500, `intended ${intended}`).toBe(true);
  expect(Object.keys(res.json())).toEqual(['message']);
}

/** A refused guess: answered as an unknown secret. */
function ok404(res: Response): void {
  expect(res.json()).toMatchObject({ message: 'Unknown secret' });
}
