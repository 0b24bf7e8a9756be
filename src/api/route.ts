// One declaration per route: method, path and aliases, who may call it, which rate budget it draws on, its schema
// (for OpenAPI) and its handler. It drives registration, authentication and rate limiting: a route cannot be
// registered without saying its budget (the rate-limit plugin refuses one that does not).
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { AuthMode, RateClass } from '../plugins/route-config.js';

export type { AuthMode, RateClass };

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface ApiRoute {
  method: HTTPMethods | HTTPMethods[];
  path: string;
  /** Other paths answering exactly as `path` (documented as aliases). */
  aliases?: string[];
  auth: AuthMode;
  rate: RateClass | false;
  /** What one request costs in units of its budget, when more than one (a batch). */
  rateUnits?: (req: FastifyRequest) => number;
  schema: FastifySchema;
  handler: Handler;
}

/** Registers each route under its path and its aliases, with its auth and budget in the route config. */
export function registerRoutes(app: FastifyInstance, routes: readonly ApiRoute[]): void {
  for (const route of routes) {
    for (const url of [route.path, ...(route.aliases ?? [])]) {
      const alias = url !== route.path;
      const summary = route.schema.summary && alias ? `${route.schema.summary} (alias of ${route.path})` : route.schema.summary;
      app.route({
        method: route.method,
        url,
        schema: { ...route.schema, summary, ...(alias ? { operationId: undefined } : {}) },
        config: { rateClass: route.rate, auth: route.auth, ...(route.rateUnits ? { rateUnits: route.rateUnits } : {}) },
        handler: route.handler,
      });
    }
  }
}

/** The `:key` path parameter of a route that takes one. */
export function keyParam(req: FastifyRequest): string {
  return (req.params as { key: string }).key;
}
