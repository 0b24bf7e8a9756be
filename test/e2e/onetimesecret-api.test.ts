// An independent client, unchanged: the npm package onetimesecret-api@1.1.3 (node-fetch@2) drives the real
// server over a real socket, anonymously and with an account. Its quirks are the point: it POSTs a form content
// type with no body for receipts and burns, sends `Basic Og==` when anonymous, and maps errors by message.
import '../support/legacy-util.js';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../support/app.js';
import { listen, type ListeningApp } from './listening.js';

// The package's own typings point at its TypeScript sources, which do not compile under our strict settings;
// this is the part of its surface the test uses (see node_modules/onetimesecret-api/lib/ots.d.ts).
interface Receipt {
  custid: string;
  metadata_key: string;
  secret_key?: string;
  share_link?: string;
  ttl: number;
  metadata_ttl: number;
  secret_ttl?: number | null;
  state: string;
  updated: number;
  created: number;
  received?: number;
  recipient: string[];
  share_domain?: string;
  passphrase_required?: boolean;
}
interface OtsClient {
  status(): Promise<boolean>;
  share(secret: string, options?: { passphrase?: string; ttl?: number }): Promise<Receipt & { share_link: string }>;
  generate(options?: { passphrase?: string; ttl?: number }): Promise<Receipt & { value: string; share_link: string }>;
  retrieveSecret(secretKey: string, options?: { passphrase?: string }): Promise<{ value: string; secret_key: string; share_domain?: string }>;
  retrieveMetadata(metadataKey: string): Promise<Receipt>;
  burn(metadataKey: string): Promise<{ state: Receipt; secret_shortkey: string }>;
  recentMetadata(): Promise<Receipt[]>;
}
interface OtsModule {
  default: new (username: string, password: string, options?: { url?: string }) => OtsClient;
  UnknownSecretError: new (...args: never[]) => Error;
  NotAuthorizedError: new (...args: never[]) => Error;
}

const ots = createRequire(import.meta.url)('onetimesecret-api/index.js') as OtsModule;
const { UnknownSecretError, NotAuthorizedError } = ots;
const OneTimeSecretApi = ots.default;

const KEY = /^[0-9a-z]{31}$/;

describe('onetimesecret-api@1.1.3 against the listening server (Redis)', () => {
  let t: ListeningApp;
  let anon: OtsClient;
  let alice: OtsClient;
  let bob: OtsClient;

  beforeAll(async () => {
    t = await listen();
    // The client appends /api/v1 itself; empty credentials are how it is used anonymously.
    anon = new OneTimeSecretApi('', '', { url: t.origin });
    alice = new OneTimeSecretApi(ALICE.email, ALICE.token, { url: t.origin });
    bob = new OneTimeSecretApi(BOB.email, BOB.token, { url: t.origin });
  });
  afterAll(() => t?.close());

  describe('anonymously', () => {
    it('status is nominal', async () => {
      expect(await anon.status()).toBe(true);
    });

    it('share → receipt new, viewed → reveal with passphrase, byte for byte → received, then gone', async () => {
      const secret = 'línea uno 🔐\nline two\n';
      const shared = await anon.share(secret, { passphrase: 'open sesame', ttl: 3600 });
      expect(shared).toMatchObject({
        custid: 'anon',
        ttl: 3600,
        metadata_ttl: 7200,
        secret_ttl: 3600,
        state: 'new',
        recipient: [],
        passphrase_required: true,
      });
      expect(shared.secret_key).toMatch(KEY);
      expect(shared.metadata_key).toMatch(KEY);
      expect(shared.share_link).toBe(`${t.origin}/secret/${shared.secret_key}`);
      expect(Number.isInteger(shared.created) && Number.isInteger(shared.updated)).toBe(true);

      expect((await anon.retrieveMetadata(shared.metadata_key)).state).toBe('new');
      const viewed = await anon.retrieveMetadata(shared.metadata_key);
      expect(viewed).toMatchObject({ state: 'viewed', secret_key: shared.secret_key, passphrase_required: true });
      expect(viewed).not.toHaveProperty('value');

      // Missing or wrong passphrase: indistinguishable from an unknown key, and the secret survives.
      await expect(anon.retrieveSecret(shared.secret_key!)).rejects.toBeInstanceOf(UnknownSecretError);
      await expect(anon.retrieveSecret(shared.secret_key!, { passphrase: 'wrong' })).rejects.toBeInstanceOf(UnknownSecretError);

      const revealed = await anon.retrieveSecret(shared.secret_key!, { passphrase: 'open sesame' });
      expect(revealed).toEqual({ value: secret, secret_key: shared.secret_key, share_domain: t.config.publicUrl });
      await expect(anon.retrieveSecret(shared.secret_key!, { passphrase: 'open sesame' })).rejects.toBeInstanceOf(
        UnknownSecretError,
      );

      const received = await anon.retrieveMetadata(shared.metadata_key);
      expect(received.state).toBe('received');
      expect(Number.isInteger(received.received)).toBe(true);
      expect(received).not.toHaveProperty('secret_key');
      expect(received).not.toHaveProperty('secret_ttl');
      expect(received.share_link).toBeUndefined();
    });

    it('generate → the value it returns is the secret; its receipt is already viewed', async () => {
      const generated = await anon.generate({ ttl: 600 });
      expect(generated).toMatchObject({ custid: 'anon', ttl: 600, metadata_ttl: 1200, state: 'new', passphrase_required: false });
      expect(generated.value).toHaveLength(12);
      expect((await anon.retrieveMetadata(generated.metadata_key)).state).toBe('viewed');
      expect((await anon.retrieveSecret(generated.secret_key!)).value).toBe(generated.value);
    });

    it('burn destroys an unread secret: state burned, short key, reveal fails', async () => {
      const shared = await anon.share('burn me', { ttl: 600 });
      const burned = await anon.burn(shared.metadata_key);
      expect(burned.secret_shortkey).toBe(shared.secret_key!.slice(0, 6));
      expect(burned.state).toMatchObject({ state: 'burned', secret_key: '', secret_ttl: null, metadata_key: shared.metadata_key });
      expect(burned.state).not.toHaveProperty('passphrase_required');
      await expect(anon.retrieveSecret(shared.secret_key!)).rejects.toBeInstanceOf(UnknownSecretError);
      expect((await anon.retrieveMetadata(shared.metadata_key)).state).toBe('burned');
    });

    it('unknown keys are UnknownSecretError; recent needs an account', async () => {
      await expect(anon.retrieveSecret('nosuchkey')).rejects.toBeInstanceOf(UnknownSecretError);
      await expect(anon.retrieveMetadata('nosuchkey')).rejects.toBeInstanceOf(UnknownSecretError);
      await expect(anon.burn('nosuchkey')).rejects.toBeInstanceOf(UnknownSecretError);
      await expect(anon.recentMetadata()).rejects.toBeInstanceOf(NotAuthorizedError);
    });
  });

  describe('with an account', () => {
    it('status is nominal with valid credentials; wrong credentials are refused even there', async () => {
      expect(await alice.status()).toBe(true);
      const wrong = new OneTimeSecretApi(ALICE.email, 'wrong-token-0123456789', { url: t.origin });
      await expect(wrong.status()).rejects.toBeInstanceOf(NotAuthorizedError);
    });

    it('share, generate, recent, reveal, burn as alice; her recent list is hers alone', async () => {
      const twoWeeks = 14 * 86_400; // above the anonymous maximum, within the account maximum
      const shared = await alice.share('alice secret', { ttl: twoWeeks });
      expect(shared).toMatchObject({ custid: ALICE.email, ttl: twoWeeks, secret_ttl: twoWeeks, state: 'new' });
      const generated = await alice.generate();
      expect(generated).toMatchObject({ custid: ALICE.email, ttl: 604_800, state: 'new' });

      const recent = await alice.recentMetadata();
      const keys = recent.map((r) => r.metadata_key);
      expect(keys.indexOf(generated.metadata_key)).toBeGreaterThanOrEqual(0);
      expect(keys.indexOf(generated.metadata_key)).toBeLessThan(keys.indexOf(shared.metadata_key)); // newest first
      for (const r of recent) {
        expect(r.custid).toBe(ALICE.email);
        expect(r).not.toHaveProperty('secret_key');
        expect(r.secret_ttl).toBeNull();
      }
      expect((await bob.recentMetadata()).map((r) => r.metadata_key)).not.toContain(shared.metadata_key);

      // Upstream's rule (the default): whoever holds the metadata key may view the receipt; the first view moves
      // it to viewed for everyone.
      expect(await anon.retrieveMetadata(shared.metadata_key)).toMatchObject({ custid: ALICE.email, state: 'new' });
      expect((await alice.retrieveMetadata(shared.metadata_key)).state).toBe('viewed');
      // Anyone with the secret key may reveal.
      expect((await anon.retrieveSecret(shared.secret_key!)).value).toBe('alice secret');
      expect((await alice.retrieveMetadata(shared.metadata_key)).state).toBe('received');

      const burned = await alice.burn(generated.metadata_key);
      expect(burned.state).toMatchObject({ state: 'burned', custid: ALICE.email });
      await expect(anon.retrieveSecret(generated.secret_key!)).rejects.toBeInstanceOf(UnknownSecretError);
    });
  });
});
