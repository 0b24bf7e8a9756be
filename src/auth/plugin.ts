import basicAuth from '@fastify/basic-auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../domain/errors.js';
import { ANONYMOUS, type Actor } from '../domain/secrets-service.js';
import { StoreUnavailableError } from '../domain/store.js';
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

/**
 * Sets request.actor on every request, as the route's `auth` says (see plugins/route-config.ts): anonymous
 * without an Authorization header (or with empty Basic credentials), the account for valid credentials; any other
 * Authorization header fails the request. Routes that ignore credentials (`anon`, `none`) never look at it.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { accounts: Accounts }) => {
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
    // A store outage is not a credentials problem: valid callers must not be told their token is wrong.
    app.basicAuth(req, reply, (err?: Error) =>
      done(err instanceof StoreUnavailableError ? errors.storeUnavailable() : err ? errors.notAuthorized() : undefined),
    );
  });
});
