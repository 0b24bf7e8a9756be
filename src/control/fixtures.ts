// Fixtures: a secret and its receipt in the state a test asks for, got there by the service's own calls (share,
// view, reveal, burn), so they read back through every API version exactly as real ones do.
import { actorOf, type Accounts } from '../auth/accounts.js';
import type { Config } from '../config.js';
import { STATES, type State } from '../domain/receipt.js';
import { ANONYMOUS, type Actor, type SecretsService } from '../domain/secrets-service.js';
import { clampTtl, parseTtl } from '../domain/ttl.js';
import type { MemorySecretStore } from '../store/memory-store.js';
import type { ControlClock } from './clock.js';

/** A fixture can be in every state a receipt can. */
export const FIXTURE_STATES = STATES;
export type FixtureState = State;

export interface FixtureRequest {
  state: FixtureState;
  /** The secret's value; by default `fixture secret`. */
  secret?: string;
  passphrase?: string;
  /** Seconds, clamped like a share's; by default TTL_DEFAULT. */
  ttl?: number;
  /** The email of an account given at start: the secret is then its own (its recent list, owner-only receipts). */
  account?: string;
}

/** The v1 names; the same keys are v2's and v3's identifiers. */
export interface Fixture {
  secret_key: string;
  metadata_key: string;
}

export const DEFAULT_FIXTURE_SECRET = 'fixture secret';

/** A fixture the double cannot make (an unknown account); answered 400 by the control API. */
export class FixtureError extends Error {}

export interface FixtureParts {
  service: SecretsService;
  accounts: Accounts;
  config: Config;
  secrets: MemorySecretStore;
  clock: ControlClock;
}

export async function makeFixture(parts: FixtureParts, request: FixtureRequest): Promise<Fixture> {
  const { service, secrets, clock } = parts;
  const actor = await actorFor(parts.accounts, request.account);
  const { passphrase, state } = request;
  const share = () =>
    service.share({ secret: request.secret ?? DEFAULT_FIXTURE_SECRET, passphrase, ttl: request.ttl?.toString() }, actor);
  // Expired: shared one TTL ago on a clock shifted for this call chain alone, so its secret has just run out by
  // the store's own expiry and its receipt is as old as time would have made it; no other secret moves.
  const created = state === 'expired' ? await clock.backdated(ttlOf(parts.config, request, actor), share) : await share();
  const fixture = { secret_key: created.receipt.secretKey, metadata_key: created.receipt.metadataKey };
  if (state === 'viewed') await service.viewReceipt(fixture.metadata_key, actor);
  if (state === 'received') await service.reveal(fixture.secret_key, passphrase);
  if (state === 'burned') await service.burn(fixture.metadata_key, passphrase, actor);
  // Orphaned: the secret is gone while its receipt still says new, as after a crash between claim and receipt
  // update; its next view reports orphaned, as with Redis.
  if (state === 'orphaned') secrets.secretMap.delete(fixture.secret_key);
  return fixture;
}

async function actorFor(accounts: Accounts, email: string | undefined): Promise<Actor> {
  if (email === undefined) return ANONYMOUS;
  const account = await accounts.get(email);
  if (!account) throw new FixtureError(`no account ${email} (accounts are given at start)`);
  return actorOf(account);
}

/** The TTL the share will keep: the same parse and clamp the service applies. */
function ttlOf(config: Config, request: FixtureRequest, actor: Actor): number {
  return clampTtl(parseTtl(request.ttl?.toString(), config.ttlDefault), config, actor.isAccount);
}
