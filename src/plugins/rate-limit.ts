import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { errors } from '../domain/errors.js';
import type { RedisStore } from '../store/redis-store.js';
import type { Store } from '../domain/store.js';
import { clientGroup } from './client-address.js';
import { routeOf } from './route-of.js';
import type { RateClass } from './route-config.js';
import { MemoryRateLimitStore } from './rate-limit-memory-store.js';
import { SharedRateLimitStore } from './rate-limit-redis-store.js';

type LimitSettings = Pick<
  Config,
  | 'rateLimitWindow'
  | 'rateLimitCreate'
  | 'rateLimitReveal'
  | 'rateLimitReceipt'
  | 'rateLimitBurn'
  | 'rateLimitUnrouted'
>;

export interface RateLimitOptions {
  config: LimitSettings;
  store: Store;
}

/** Which budget a request draws on; undefined for routes that are not limited (status, health, the form, assets). */
export function rateClassOf(req: FastifyRequest): RateClass | undefined {
  if (req.is404) return 'unrouted';
  return routeOf(req).config.rateClass || undefined;
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

/** The plugin constructs its store itself: a class bound to this server's Redis client and key prefix. */
function sharedStore(store: RedisStore) {
  return class extends SharedRateLimitStore {
    constructor() {
      super(store.redis, `${store.prefix}ratelimit:`);
    }
  };
}

/**
 * Per-client rate limits with @fastify/rate-limit, counted in Redis when the store is Redis (so every instance
 * shares the counts; they sit beside the store's own keys under REDIS_PREFIX) and in process memory otherwise.
 * The check runs on onRequest, before any body is read, and refuses with the contract's error and Retry-After.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, opts: RateLimitOptions) => {
  const limits = limitsOf(opts.config);
  const classOf = (req: FastifyRequest) => rateClassOf(req) ?? 'unrouted';
  const redisStore = opts.store.kind === 'redis' ? (opts.store as RedisStore) : undefined;
  await app.register(rateLimit, {
    global: false, // applied by the hook below, which also covers unrouted paths
    store: redisStore ? sharedStore(redisStore) : MemoryRateLimitStore,
    timeWindow: opts.config.rateLimitWindow * 1000,
    keyGenerator: (req) => `${classOf(req)}:${clientGroup(req.ip)}`,
    max: (req) => limits[classOf(req)],
    // Redis down: let the request through; its route answers 503 (or /status "offline") on its own.
    skipOnError: true,
  });
  const check = app.createRateLimit();

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
    const result = await check(req);
    if (!result.isAllowed && result.isExceeded) {
      req.log.warn({ rateClass }, 'rate limit exceeded');
      throw errors.rateLimited(Math.max(1, result.ttlInSeconds));
    }
  });
});
