import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { errors, retryAfterSeconds } from '../domain/errors.js';
import { StoreUnavailableError, type RateCounts } from '../domain/store.js';
import type { RateClass } from '../plugins/route-config.js';
import { clientAddress, clientGroup } from './client-address.js';
import { RefusedClients } from './refused-clients.js';

type LimitSettings = Pick<
  Config,
  'rateLimitWindow' | 'rateLimitCreate' | 'rateLimitReveal' | 'rateLimitReceipt' | 'rateLimitBurn' | 'rateLimitUnrouted'
>;

export interface RateLimitOptions {
  config: LimitSettings;
  /** The store's counts: in Redis, shared by every instance on it; in process memory for the memory store. */
  counts: RateCounts;
  /** Clock in milliseconds for the remembered refusals (the test double's adjustable clock); Date.now by default. */
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The count this request was charged to (its class and client), when its route is limited. */
    rateKey: string | undefined;
  }
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
 * Per-client rate limits, counted at the edge: every request to a limited route takes one unit of its client's
 * budget for the route's class on arrival, before its body is read and before any store step, and is refused with
 * the contract's error and Retry-After past it; a refused request changes nothing. A route whose request costs more
 * (a batch: `config.rateUnits`) takes the rest after its body is parsed, all or nothing. The count lives in the
 * store (one per client and class and fixed window, shared by every instance and worker on one Redis). A store that
 * cannot count (unreachable, or full) refuses nothing here: the route answers on its own, and reads still work on a
 * full Redis. A client found past its budget is refused on arrival for the rest of its window, with no count.
 */
export class RateLimit {
  private readonly limits: Record<RateClass, number>;
  private readonly windowMs: number;
  private readonly refused: RefusedClients;

  constructor(private readonly opts: RateLimitOptions) {
    this.refused = new RefusedClients(opts.now);
    this.limits = limitsOf(opts.config);
    this.windowMs = opts.config.rateLimitWindow * 1000;
  }

  readonly plugin = fp(async (app: FastifyInstance) => {
    app.decorateRequest('rateKey', undefined);
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
      if (rateClass === undefined || this.limits[rateClass] === 0) return;
      req.rateKey = `${rateClass}:${clientGroup(clientAddress(req))}`;
      await this.take(req, 1);
    });
    app.addHook('preHandler', async (req) => {
      const units = req.routeOptions.config.rateUnits?.(req);
      if (req.rateKey !== undefined && units !== undefined && units > 1) await this.take(req, units - 1);
    });
  });

  /** Forgets the clients remembered as refused (the test double's reset, with the store's counts). */
  forgetRefusals(): void {
    this.refused.forgetAll();
  }

  /** Takes `units` from the request's budget, or throws the refusal. */
  private async take(req: FastifyRequest, units: number): Promise<void> {
    const key = req.rateKey!;
    const known = this.refused.refusedFor(key);
    if (known !== undefined) throw this.refuse(req, key, known);
    const limit = this.limits[rateClassOf(req)!];
    let result;
    try {
      result = await this.opts.counts.take(key, this.windowMs, units, limit);
    } catch (err) {
      if (err instanceof StoreUnavailableError) return;
      throw err;
    }
    if (result.taken) return;
    // A single request refused means the window is spent: remember it. A batch may still leave room for less.
    if (units === 1) this.refused.remember(key, result.ttlMs);
    throw this.refuse(req, key, result.ttlMs);
  }

  private refuse(req: FastifyRequest, key: string, ttlMs: number) {
    req.log.warn({ rateClass: key.slice(0, key.indexOf(':')) }, 'rate limit exceeded');
    return errors.rateLimited(retryAfterSeconds(ttlMs));
  }
}
