import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { errors } from '../domain/errors.js';
import type { RateCounts } from '../domain/store.js';
import type { RateClass } from '../plugins/route-config.js';
import { clientGroup } from './client-address.js';

type LimitSettings = Pick<
  Config,
  'rateLimitWindow' | 'rateLimitCreate' | 'rateLimitReveal' | 'rateLimitReceipt' | 'rateLimitBurn' | 'rateLimitUnrouted'
>;

export interface RateLimitOptions {
  config: LimitSettings;
  /** The store's counts: in Redis, shared by every instance on it; in process memory for the memory store. */
  counts: RateCounts;
}

/** Which budget a request draws on; undefined for routes that are not limited (status, health, the form, assets). */
export function rateClassOf(req: FastifyRequest): RateClass | undefined {
  if (req.is404) return 'unrouted';
  return req.routeOptions.config.rateClass || undefined;
}

function limitsOf(c: LimitSettings): Record<RateClass, number> {
  return {
    create: c.rateLimitCreate,
    reveal: c.rateLimitReveal,
    receipt: c.rateLimitReceipt,
    burn: c.rateLimitBurn,
    unrouted: c.rateLimitUnrouted,
  };
}

/**
 * Per-client rate limits: every request to a limited route counts against its client's budget for the route's
 * class, one fixed window per client and class. The check runs on onRequest, before any body is read, and refuses
 * with the contract's error and Retry-After; each request waits for its own count, so one instance is exact.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, opts: RateLimitOptions) => {
  const limits = limitsOf(opts.config);
  const windowMs = opts.config.rateLimitWindow * 1000;

  // Every alias of a route, and the web page doing the same thing as an API route, names the same budget, so
  // neither aliases nor switching between API and pages multiply what a client may send. A route that names none
  // is a mistake caught at startup, not a silently unlimited route.
  app.addHook('onRoute', (route) => {
    if (route.config?.rateClass === undefined) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no rate budget (config.rateClass)`);
    }
  });

  app.addHook('onRequest', async (req) => {
    const rateClass = rateClassOf(req);
    if (rateClass === undefined || limits[rateClass] === 0) return;
    let hit: { count: number; ttlMs: number };
    try {
      hit = await opts.counts.hit(`${rateClass}:${clientGroup(req.ip)}`, windowMs);
    } catch {
      return; // store away: the route answers 503 (or /status "offline") on its own
    }
    if (hit.count > limits[rateClass]) {
      req.log.warn({ rateClass }, 'rate limit exceeded');
      throw errors.rateLimited(Math.max(1, Math.ceil(hit.ttlMs / 1000)));
    }
  });
});
