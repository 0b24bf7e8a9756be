// Real-client replays of API v2 (and v1 through the same gem) against the listening server (Redis, 127.0.0.1):
// the official Ruby client `onetimesecret` 0.7.0, the GLPI plugin and the Python Tk client, each driven by our own
// code in ./ruby-client.ts that sends exactly their requests (the upstream source of each shape is named there).
// These are the v2 contract's §8 items 85–88 (/work/shared/ots-v2-api.md §7), with the §10.1 Basic usernames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from '../support/app.js';
import { listen, type ListeningApp } from './listening.js';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ForbiddenError,
  glpiCreateSecret,
  NotFoundError,
  PythonOtsClient,
  RateLimitError,
  RubyClient,
  type RubyClientOptions,
} from './ruby-client.js';

const ID = /^[a-z0-9]+$/;

interface AccountIds {
  customerId: string;
  organizationId: string;
}

/** `await t.app.ots.accounts.get(email)` → { customerId: "ur…", organizationId: "on…" } (§10.1). */
async function accountIds(t: ListeningApp, email: string): Promise<AccountIds> {
  const accounts = t.app.ots.accounts as unknown as { get(email: string): Promise<AccountIds | null> };
  const ids = await accounts.get(email);
  expect(ids, `accounts.get(${email})`).toMatchObject({ customerId: expect.stringMatching(/^ur[0-9a-z]+$/), organizationId: expect.stringMatching(/^on[0-9a-z]+$/) });
  return ids!;
}

/** The Basic username a client put on the wire (every request of a client sends the same one). */
function sentUsernames(client: RubyClient): string[] {
  return [
    ...new Set(
      client.sent.map((r) => {
        const auth = r.headers.find(([k]) => k === 'Authorization')?.[1];
        return auth ? Buffer.from(auth.slice('Basic '.length), 'base64').toString('utf8').split(':')[0]! : '<none>';
      }),
    ),
  ];
}

/** The call raised an APIError of this class; returns it. */
async function raises<E extends APIError>(call: Promise<unknown>, klass: abstract new (...args: never[]) => E): Promise<E> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the client to raise').toBeInstanceOf(klass);
  return err as E;
}

describe('API v2 replayed by real clients against the listening server (Redis)', () => {
  let t: ListeningApp;
  let ids: AccountIds;

  beforeAll(async () => {
    t = await listen();
    ids = await accountIds(t, ALICE.email);
  });
  afterAll(() => t?.close());

  describe('Ruby gem onetimesecret 0.7.0, v2 with credentials (§8 item 85)', () => {
    const kinds: [string, (ids: AccountIds) => Partial<RubyClientOptions>, (ids: AccountIds) => string][] = [
      ['customer id (0.7.0 `customer:`)', (i) => ({ customer: i.customerId }), (i) => i.customerId],
      ['email (1.0.0.pre.1 `username:`)', () => ({ username: ALICE.email }), () => ALICE.email],
      ['organization id (unreleased 1.0.0 `organization:`)', (i) => ({ organization: i.organizationId }), (i) => i.organizationId],
    ];

    it.each(kinds)(
      'conceal → receipts.show → reveal → status → status_list → burn → update → recent → version → supported_locales, as %s',
      async (_kind, credentials, username) => {
        const client = new RubyClient({ baseUrl: t.origin, apiToken: ALICE.token, ...credentials(ids) });
        const value = `ruby gem ✓ ${Math.random()}\nsecond line\n`;

        const concealed = await client.secrets.conceal({ secret: value, ttl: 3600, passphrase: 'ruby-pass' });
        const receiptA = concealed.dig('record', 'receipt', 'identifier');
        const secretA = concealed.dig('record', 'secret', 'identifier');
        expect(receiptA).toMatch(ID);
        expect(secretA).toMatch(ID);
        // The receipt names its owner, so the gem's ownership check says "owned" (§6.3, /tmp/v2-decisions.md).
        expect(concealed.dig('record', 'receipt', 'custid')).toBe(ALICE.email);
        expect(concealed.dig('record', 'receipt', 'owner_id')).toBe(ids.customerId);

        const shown = await client.receipts.show(String(receiptA));
        expect(shown.dig('record', 'state')).toBe('new');

        const revealed = await client.secrets.reveal(String(secretA), { passphrase: 'ruby-pass' });
        expect(revealed.dig('record', 'secret_value')).toBe(value);

        expect((await client.secrets.status(String(secretA))).dig('record', 'state')).toBe('unknown');

        const generated = await client.secrets.generate({ ttl: 600 });
        const receiptB = String(generated.dig('record', 'receipt', 'identifier'));
        const secretB = String(generated.dig('record', 'secret', 'identifier'));
        const list = await client.secrets.statusList([String(secretA), secretB]);
        expect(list.dig('count')).toBe(1);
        expect(list.dig('records', 0, 'identifier')).toBe(secretB);

        const burned = await client.receipts.burn(receiptB);
        expect(burned.dig('record', 'state')).toBe('burned');

        const updated = await client.receipts.update(String(receiptA), { memo: 'ticket #42' });
        expect(updated.dig('record', 'memo')).toBe('ticket #42');

        const recent = await client.receipts.recent();
        const recentIds = (recent.dig('records') as { identifier: string }[]).map((r) => r.identifier);
        expect(recentIds).toEqual(expect.arrayContaining([receiptA, receiptB]));

        const version = await client.version();
        expect(version.key('version')).toBe(true);
        expect(version.dig('version')).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
        const locales = await client.supportedLocales();
        expect(locales.data).not.toBeNull();
        expect(locales.dig('locales')).toEqual(expect.arrayContaining(['en']));

        // none raised; the ownership check never fired; nothing was retried; the wire carried this username
        expect(client.warnings).toEqual([]);
        expect(client.sent.map((r) => r.status)).toEqual(Array(client.sent.length).fill(200));
        expect(client.sent).toHaveLength(11);
        expect(sentUsernames(client)).toEqual([username(ids)]);
      },
    );

    it('0.7.0 refuses an email as `customer:` before sending anything', () => {
      expect(() => new RubyClient({ baseUrl: t.origin, customer: ALICE.email, apiToken: ALICE.token })).toThrow(ConfigurationError);
    });

    it('the ownership check is live: an anonymous receipt read with credentials on a non-guest path warns, once', async () => {
      const anon = new RubyClient({ baseUrl: t.origin });
      const receipt = String((await anon.secrets.conceal({ secret: 'anonymous one' })).dig('record', 'receipt', 'identifier'));
      const alice = new RubyClient({ baseUrl: t.origin, customer: ids.customerId, apiToken: ALICE.token });
      await alice.receipts.show(receipt);
      await alice.receipts.show(receipt);
      expect(alice.warnings).toHaveLength(1); // custid null on an anonymous receipt: "unowned"
      const strict = new RubyClient({ baseUrl: t.origin, customer: ids.customerId, apiToken: ALICE.token, onUnowned: 'raise' });
      await expect(strict.receipts.show(receipt)).rejects.toThrow(/anonymous/);
      // guest paths are exempt
      await alice.receipts.show(receipt, { guest: true });
      expect(alice.warnings).toHaveLength(1);
    });

    it('errors are classified by error_type, then status, as errors.rb does', async () => {
      const wrong = new RubyClient({ baseUrl: t.origin, customer: ids.customerId, apiToken: 'wrong-token-0123456789' });
      const unauthorized = await raises(wrong.secrets.conceal({ secret: 'must not be stored' }), AuthenticationError);
      expect(unauthorized.httpStatus).toBe(401);
      expect(unauthorized.message).toBe('Not authorized');

      const alice = new RubyClient({ baseUrl: t.origin, customer: ids.customerId, apiToken: ALICE.token });
      const secret = String((await alice.secrets.conceal({ secret: 'x', passphrase: 'right-one' })).dig('record', 'secret', 'identifier'));
      const wrongPass = await raises(alice.secrets.reveal(secret, { passphrase: 'wrong-one' }), BadRequestError);
      expect(wrongPass).toMatchObject({ httpStatus: 422, errorType: 'FormError', message: 'Incorrect passphrase' });
      expect((await alice.secrets.reveal(secret, { passphrase: 'right-one' })).dig('record', 'secret_value')).toBe('x');
      const gone = await raises(alice.secrets.reveal(secret, { passphrase: 'right-one' }), NotFoundError);
      expect(gone).toMatchObject({ httpStatus: 404, errorType: 'RecordNotFound' });

      const anon = new RubyClient({ baseUrl: t.origin });
      expect((await raises(anon.receipts.recent(), AuthenticationError)).httpStatus).toBe(401);
      const recipient = await raises(anon.secrets.conceal({ secret: 'x', recipient: 'bob@example.com' }), AuthenticationError);
      expect(recipient.message).toBe('An account is required to send emails.');
      const tooLong = await raises(alice.secrets.generate({ ttl: 60, passphrase: 'p'.repeat(129) }), BadRequestError);
      expect(tooLong.httpStatus).toBe(422);
    });
  });

  describe('Ruby gem, anonymous with guest: true (§8 item 86; test/live_api_test.rb)', () => {
    it('status, version, supported_locales; conceal, generate, reveal, receipts.show, burn; unknown key → NotFoundError', async () => {
      const guest = new RubyClient({ baseUrl: t.origin });
      expect((await guest.status()).dig('status')).toBe('nominal');
      expect((await guest.version()).key('version')).toBe(true);
      expect((await guest.supportedLocales()).data).not.toBeNull();

      const value = `guest ✓ ${Math.random()}`;
      const concealed = await guest.secrets.conceal({ secret: value, ttl: 60, guest: true });
      const key = concealed.dig('record', 'secret', 'identifier');
      const receipt = concealed.dig('record', 'receipt', 'identifier');
      expect(key).toMatch(ID);
      expect(receipt).toMatch(ID);

      const generated = await guest.secrets.generate({ ttl: 60, guest: true });
      expect(generated.success).toBe(true);
      expect(generated.dig('record', 'receipt')).toBeTruthy();
      expect(generated.dig('record', 'secret')).toBeTruthy();

      expect((await guest.secrets.reveal(String(key), { guest: true })).dig('record', 'secret_value')).toBe(value);
      expect((await guest.receipts.show(String(receipt), { guest: true })).success).toBe(true);

      const toBurn = await guest.secrets.conceal({ secret: 'burn me', ttl: 60, guest: true });
      const burned = await guest.receipts.burn(String(toBurn.dig('record', 'receipt', 'identifier')), { guest: true });
      expect(burned.dig('record', 'state')).toBe('burned');

      const missing = await raises(guest.secrets.reveal('doesnotexist000000000000000000000', { guest: true }), NotFoundError);
      expect(missing).toMatchObject({ httpStatus: 404, errorType: 'RecordNotFound' });

      // anonymous: no Authorization header at all, and nothing retried
      expect(guest.sent.every((r) => !r.headers.some(([k]) => k === 'Authorization'))).toBe(true);
      expect(guest.sent.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([404]);
    });
  });

  describe('Ruby gem with api_version: :v1 and the customer id', () => {
    it('conceal → receipts.show → reveal → burn → recent → authcheck (form bodies)', async () => {
      const v1 = new RubyClient({ baseUrl: t.origin, apiVersion: 'v1', customer: ids.customerId, apiToken: ALICE.token });
      const shared = await v1.secrets.conceal({ secret: 'v1 via gem', ttl: 600, passphrase: 'pw pw' });
      expect(shared.dig('custid')).toBe(ALICE.email);
      const metadataKey = String(shared.dig('metadata_key'));
      expect((await v1.receipts.show(metadataKey)).dig('state')).toBe('new');
      expect((await v1.secrets.reveal(String(shared.dig('secret_key')), { passphrase: 'pw pw' })).dig('value')).toBe('v1 via gem');
      const other = await v1.secrets.generate({ ttl: 600 });
      expect((await v1.receipts.burn(String(other.dig('metadata_key')))).dig('state', 'state')).toBe('burned');
      const recent = (await v1.receipts.recent()).data as { metadata_key: string }[];
      expect(recent.map((r) => r.metadata_key)).toContain(metadataKey);
      expect((await v1.authcheck()).dig('status')).toBe('nominal');
      expect(v1.warnings).toEqual([]);
    });
  });

  describe('GLPI plugin ticgal/one-timesecret (§8 item 87)', () => {
    it('conceal with share_domain = the server host: 200 on the exact URL, identifier ok, link opens, value intact', async () => {
      const config = { server: 'secrets.example.com', apiuser: ALICE.email, apikey: ALICE.token };
      const value = 'GLPI </script> & "quotes" \'apos\' é ✓ 🔐 path/to';
      const passphrase = 'glpi/pass<&>"\'é';
      const { response, failure, link, data } = await glpiCreateSecret(t.origin, config, value, 3600, passphrase);
      expect(failure, response.body).toBeUndefined();
      expect(response.status).toBe(200);
      expect(link).toMatch(/^https:\/\/secrets\.example\.com\/secret\/[a-z0-9]+$/);
      expect(data).toMatchObject({ record: { share_domain: null, receipt: { custid: ALICE.email } } });

      // the link names a page of this server (behind its TLS proxy)
      const page = await fetch(`${t.origin}${new URL(String(link)).pathname}`);
      expect(page.status).toBe(200);
      await page.arrayBuffer();

      const reveal = new RubyClient({ baseUrl: t.origin });
      const key = String(link).split('/').pop()!;
      expect((await reveal.secrets.reveal(key, { passphrase })).dig('record', 'secret_value')).toBe(value);
    });

    it('a configured host:port in another letter case is still this server: share_domain absent', async () => {
      const config = { server: 'SECRETS.Example.com:443', apiuser: ALICE.email, apikey: ALICE.token };
      const { response, failure, data } = await glpiCreateSecret(t.origin, config, 'host with port', 300);
      expect(failure, response.body).toBeUndefined();
      expect(data).toMatchObject({ record: { share_domain: null } });
    });

    it('blank account fields (Basic Og==) create an anonymous secret', async () => {
      const { response, failure, link, data } = await glpiCreateSecret(t.origin, { server: 'secrets.example.com', apiuser: '', apikey: '' }, 'no account', 300);
      expect(failure, response.body).toBeUndefined();
      expect(link).toBeTruthy();
      expect(data).toMatchObject({ record: { receipt: { custid: null, owner_id: null } } });
    });
  });

  describe('Python client JoKerIsCraZy/OneTimeSecret-Client (§8 item 88)', () => {
    it('ping, share (kind, share_domain), fetch_status new → revealed, burn {} → burned, burn {"continue":"true"} → burned', async () => {
      const url = `${t.origin}/api/v2/secret/conceal`; // plain http is allowed on loopback only
      const py = new PythonOtsClient(url, ALICE.email, ALICE.token);
      expect(await py.ping()).toEqual({ status: 'nominal', version: expect.stringMatching(/^\d+\.\d+\.\d+$/), authenticated: true });

      const shared = await py.share('python ✓ secret', 3600);
      expect(shared.secretKey).toMatch(ID);
      expect(shared.metadataKey).toMatch(ID);
      expect(shared.state).toBe('new');
      if (shared.shareDomain) expect(shared.shareDomain).toMatch(/^[a-z0-9.-]+(:\d+)?$/i); // a bare host[:port], if any
      expect(await py.fetchStatus(shared.metadataIdentifier)).toBe('new');

      const recipient = new RubyClient({ baseUrl: t.origin });
      expect((await recipient.secrets.reveal(shared.secretKey)).dig('record', 'secret_value')).toBe('python ✓ secret');
      expect(await py.fetchStatus(shared.metadataIdentifier)).toBe('revealed');

      const older = await py.share('burn with {}', 600);
      expect(await py.burn(older.metadataIdentifier)).toBe('burned');
      expect(await py.fetchStatus(older.metadataIdentifier)).toBe('burned');
      await raises(recipient.secrets.reveal(older.secretKey), NotFoundError);

      const newer = new PythonOtsClient(url, ALICE.email, ALICE.token, { continue: 'true' });
      const third = await newer.share('burn with continue', 600);
      expect(await newer.burn(third.metadataIdentifier)).toBe('burned');
      expect(await newer.fetchStatus(third.metadataIdentifier)).toBe('burned');

      expect([...py.sent, ...newer.sent].every((r) => r.status === 200)).toBe(true);
    });

    it('without credentials, ping reaches status and version (anonymous) and share is refused locally', async () => {
      const py = new PythonOtsClient(`${t.origin}/api/v2/secret/conceal`, '', '');
      expect(await py.ping()).toMatchObject({ status: 'nominal', authenticated: false });
      await expect(py.share('x', 60)).rejects.toThrow('API-Konfiguration fehlt.');
    });
  });
});

describe('Ruby gem against a server with ALLOW_ANONYMOUS=false and PASSPHRASE_MAX_ATTEMPTS=2', () => {
  let t: ListeningApp;
  beforeAll(async () => {
    t = await listen({ ALLOW_ANONYMOUS: 'false', PASSPHRASE_MAX_ATTEMPTS: '2' });
  });
  afterAll(() => t?.close());

  it('guest conceal and generate raise ForbiddenError (GuestRoutesDisabled); an account still conceals', async () => {
    const guest = new RubyClient({ baseUrl: t.origin });
    const conceal = await raises(guest.secrets.conceal({ secret: 'x', guest: true }), ForbiddenError);
    expect(conceal).toMatchObject({ httpStatus: 403, errorType: 'GuestRoutesDisabled', fields: { code: 'GUEST_CONCEAL_DISABLED' } });
    const generate = await raises(guest.secrets.generate({ guest: true }), ForbiddenError);
    expect(generate.fields.code).toBe('GUEST_GENERATE_DISABLED');
    const ids = await accountIds(t, ALICE.email);
    const alice = new RubyClient({ baseUrl: t.origin, customer: ids.customerId, apiToken: ALICE.token });
    expect((await alice.secrets.conceal({ secret: 'y' })).success).toBe(true);
    expect(alice.warnings).toEqual([]);
  });

  it('the passphrase guessing limit is a RateLimitError with retry_after from the body, for the right passphrase too', async () => {
    const ids = await accountIds(t, ALICE.email);
    const alice = new RubyClient({ baseUrl: t.origin, customer: ids.customerId, apiToken: ALICE.token });
    const key = String((await alice.secrets.conceal({ secret: 'guarded', passphrase: 'the-right-one' })).dig('record', 'secret', 'identifier'));
    for (let i = 0; i < 2; i++) await raises(alice.secrets.reveal(key, { passphrase: `wrong-${i}` }), BadRequestError);
    const limited = await raises(alice.secrets.reveal(key, { passphrase: 'wrong-again' }), RateLimitError);
    expect(limited).toMatchObject({ httpStatus: 429, errorType: 'LimitExceeded', fields: { retryAfter: expect.any(Number) } });
    await raises(alice.secrets.reveal(key, { passphrase: 'the-right-one' }), RateLimitError);
    // POSTs are never retried by the gem: one request per call
    expect(alice.sent.filter((r) => r.method === 'POST' && r.url.endsWith('/reveal'))).toHaveLength(4);
  });
});

describe('Ruby gem against a server with RATE_LIMIT_CREATE=1', () => {
  let t: ListeningApp;
  beforeAll(async () => {
    t = await listen({ RATE_LIMIT_CREATE: '1' });
  });
  afterAll(() => t?.close());

  it('the second conceal in the window raises RateLimitError (LimitExceeded, retry_after), and is not retried', async () => {
    const guest = new RubyClient({ baseUrl: t.origin });
    expect((await guest.secrets.conceal({ secret: 'first', guest: true })).success).toBe(true);
    const limited = await raises(guest.secrets.conceal({ secret: 'second', guest: true }), RateLimitError);
    expect(limited).toMatchObject({ httpStatus: 429, errorType: 'LimitExceeded', message: 'Rate limit exceeded. Please try again later.' });
    expect(limited.fields.retryAfter).toEqual(expect.any(Number));
    expect(guest.sent.map((r) => r.status)).toEqual([200, 429]);
  });
});
