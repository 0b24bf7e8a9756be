import type { FastifyInstance } from 'fastify';
import { registerRoutes } from '../route.js';
import { v1Routes, type V1Deps } from './routes.js';

export type ApiV1Options = V1Deps;

export default async function apiV1(app: FastifyInstance, opts: ApiV1Options) {
  // Request schemas (schemas.ts) document the parameters for OpenAPI and never validate or coerce them: the
  // contract accepts whatever the query and body hold, and the service decides.
  app.setValidatorCompiler(() => () => true);
  registerRoutes(app, v1Routes(opts));
}
