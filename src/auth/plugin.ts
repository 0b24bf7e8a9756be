import basicAuth from '@fastify/basic-auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../domain/errors.js';
import { ANONYMOUS, type Actor } from '../domain/secrets-service.js';
import { StoreUnavailableError } from '../domain/store.js';
import { clientAddress } from '../rate-limit/client-address.js';
import type { CredentialBudget } from '../rate-limit/credential-budget.js';
import type { Accounts } from './accounts.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

/** `Basic Og==` (empty user and token) is what the JS and Go clients send when used anonymously. */
function isEmptyBasic(header: string): boolean {
  const match = /^basic\s+(\S*)\s*$/i.exec(header);
  if (!match) return false;
  return Buffer.from(match[1]!, 'base64').toString('utf8') === ':';
}

/** The username of Basic credentials, if the header carries any. */
function basicUsername(header: string): string | undefined {
  const match = /^basic\s+(\S*)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return decoded.slice(0, Math.max(0, decoded.indexOf(':')));
}

/**
 * Sets request.actor on every request, as the route's `auth` says (see plugins/route-config.ts): anonymous
 * without an Authorization header (or with empty Basic credentials), the account for valid credentials; any other
 * Authorization header fails the request. Routes that ignore credentials (`anon`, `none`) never look at it.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { accounts: Accounts; credentialBudget: CredentialBudget }) => {
  await app.register(basicAuth, {
    authenticate: false,
    validate: async (username: string, token: string, req: FastifyRequest) => {
      const actor = await opts.accounts.authenticate(username, token);
      if (!actor) throw errors.notAuthorized();
      req.actor = actor;
    },
  });
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('preHandler', (req, reply, done) => {
    const mode = req.routeOptions.config.auth ?? 'basic+anon';
    const header = req.headers.authorization;
    if (mode === 'anon' || mode === 'none' || header === undefined || isEmptyBasic(header)) {
      req.actor = ANONYMOUS;
      return done(mode === 'basic' ? errors.notAuthorized() : undefined);
    }
    // Failed checks are counted per client and per username; past the budget, credentials are not even checked.
    const keys = opts.credentialBudget.keys(clientAddress(req), basicUsername(header));
    const refuse = (e: Error) => (req.log.warn({ rateClass: 'auth' }, 'failed-credentials budget exceeded'), done(e));
    const refused = opts.credentialBudget.refusal(keys);
    if (refused) return refuse(refused);
    // A store outage is not a credentials problem: valid callers must not be told their token is wrong.
    app.basicAuth(req, reply, (err?: Error) => {
      if (err instanceof StoreUnavailableError) return done(errors.storeUnavailable());
      if (!err) return done();
      opts.credentialBudget.failed(keys).then(
        (refusal) => (refusal ? refuse(refusal) : done(errors.notAuthorized())),
        () => done(errors.notAuthorized()),
      );
    });
  });
});
