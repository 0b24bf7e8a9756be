import type { FastifyRequest } from 'fastify';
// What every route says about itself in its config, read by the plugins: its rate budget and how it authenticates.

/** The budgets a client draws on; each has its own count per window. */
export type RateClass = 'create' | 'reveal' | 'receipt' | 'burn' | 'unrouted';

/**
 * Who may call a route. `basic+anon`: Basic credentials if an Authorization header is sent (a failing one fails
 * the request), anonymous otherwise. `basic`: credentials required. `anon`: the header is ignored and the caller is
 * anonymous (v2/v3 guest routes). `none`: the header is ignored (status and meta routes).
 */
export type AuthMode = 'basic+anon' | 'basic' | 'anon' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The budget a route draws on; false: not limited. Every route must say (the rate-limit plugin checks). */
    rateClass?: RateClass | false;
    /** What the request costs in units of its budget when more than one (a batch); read after its body is parsed. */
    rateUnits?: (req: FastifyRequest) => number;
    /** How the route authenticates its caller; routes without it are `basic+anon`. */
    auth?: AuthMode;
  }
}
