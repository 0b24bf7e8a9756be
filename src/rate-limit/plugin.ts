import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { OtsError } from '../domain/errors.js';
import { countApart, refusal } from '../domain/rate-charge.js';
import type { RateCharge, RateCounts } from '../domain/store.js';
import type { RateClass } from '../plugins/route-config.js';
import { clientGroup } from './client-address.js';
import { RefusedClients } from './refused-clients.js';

type LimitSettings = Pick<
  Config,
  'rateLimitWindow' | 'rateLimitCreate' | 'rateLimitReveal' | 'rateLimitReceipt' | 'rateLimitBurn' | 'rateLimitUnrouted'
>;

export interface RateLimitOptions {
  config: LimitSettings;
  /** The store's counts: in Redis, shared by every instance on it; in process memory for the memory store. */
  counts: RateCounts;
  /** Whether the store counts a request in the script of the operation it guards (Store.chargesRide). */
  chargesRide: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request's count: left for the store to take in the script of the operation it guards (routes that say
     * `rateCountedByStore`), or already counted on arrival; undefined when the route is not limited.
     */
    rateCharge: RateCharge | undefined;
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
 * Per-client rate limits: every request to a limited route counts against its client's budget for the route's
 * class, one fixed window per client and class, and is refused with the contract's error and Retry-After past it.
 *
 * Where the store can (Store.chargesRide), a create, reveal, receipt view or v2 look is counted in the same Redis
 * script that does it (one round trip, not two): the request carries its charge to the store, which refuses the
 * operation without effect when the count is past the budget. Any such request that answers without reaching the
 * store (bad input, wrong credentials, a v2 status for a malformed key) is counted before its answer goes out, by
 * `beforeError` or the route's preSerialization hook, and refused there when past its budget. Every other request
 * is counted on arrival, before its body is read. A client found past its budget is refused on arrival for the rest
 * of its window, with no count and no body read, on this instance.
 */
export class RateLimit {
  private readonly limits: Record<RateClass, number>;
  private readonly windowMs: number;
  private readonly refused = new RefusedClients();

  constructor(private readonly opts: RateLimitOptions) {
    this.limits = limitsOf(opts.config);
    this.windowMs = opts.config.rateLimitWindow * 1000;
  }

  readonly plugin = fp(async (app: FastifyInstance) => {
    app.decorateRequest('rateCharge', undefined);
    // Every alias of a route, and the web page doing the same thing as an API route, names the same budget, so
    // neither aliases nor switching between API and pages multiply what a client may send. A route that names none
    // is a mistake caught at startup, not a silently unlimited route.
    app.addHook('onRoute', (route) => {
      if (route.config?.rateClass === undefined) {
        throw new Error(`route ${String(route.method)} ${route.url} declares no rate budget (config.rateClass)`);
      }
      if (route.config.rateCountedByStore) {
        const own = route.preSerialization;
        route.preSerialization = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), this.countBeforeAnswer];
      }
    });
    app.addHook('onRequest', (req, _reply, done) => {
      const rateClass = rateClassOf(req);
      if (rateClass === undefined || this.limits[rateClass] === 0) return done();
      const key = `${rateClass}:${clientGroup(req.ip)}`;
      const left = this.refused.refusedFor(key);
      if (left !== undefined) {
        this.warn(req, key);
        return done(refusal(left));
      }
      const charge = (req.rateCharge = { key, windowMs: this.windowMs, limit: this.limits[rateClass] });
      if (this.opts.chargesRide && req.routeOptions.config.rateCountedByStore) return done();
      this.count(charge).then(() => done(), done);
    });
  });

  /**
   * For the error handler, the one place every refusal passes: a refusal (by the store's script or by a count of
   * its own) is remembered and logged; a request whose charge was not counted yet is counted now, and its error
   * becomes the refusal when it is past its budget. Undefined when there is nothing to do, so that errors without a
   * charge stay synchronous.
   */
  beforeError(req: FastifyRequest): Promise<OtsError | undefined> | undefined {
    const charge = req.rateCharge;
    if (charge === undefined) return undefined;
    if (charge.refusedForMs !== undefined) {
      this.learn(req, charge);
      return undefined;
    }
    if (charge.counted) return undefined;
    return this.count(charge).then(
      () => undefined,
      (refused: OtsError) => {
        this.learn(req, charge);
        return refused;
      },
    );
  }

  /** A charged route's answer that did not reach the store (no error) is counted before it goes out. */
  private readonly countBeforeAnswer = async (req: FastifyRequest, _reply: unknown, payload: unknown) => {
    const charge = req.rateCharge;
    if (charge !== undefined && !charge.counted) await this.count(charge);
    return payload;
  };

  /** Counts a charge by itself; throws the refusal past the budget. A store that is away refuses nothing here. */
  private async count(charge: RateCharge): Promise<void> {
    try {
      await countApart(this.opts.counts, charge);
    } catch (err) {
      // Store away: the route answers 503 (or /status "offline") on its own.
      if (charge.refusedForMs !== undefined) throw err;
    }
  }

  /** A client found past its budget (its charge refused): remembered until its window ends, and logged. */
  private learn(req: FastifyRequest, charge: RateCharge): void {
    this.refused.remember(charge.key, charge.refusedForMs!);
    this.warn(req, charge.key);
  }

  private warn(req: FastifyRequest, key: string): void {
    req.log.warn({ rateClass: key.slice(0, key.indexOf(':')) }, 'rate limit exceeded');
  }
}
