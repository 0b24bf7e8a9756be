import type { FastifyInstance } from 'fastify';
import { registerRoutes } from '../route.js';
import { v2Routes, type V2Deps } from './routes.js';

/**
 * The v2 API under its prefix. Schemas document only: requests are translated by params.ts (never validated by
 * schema) and answers are sent as built (JSON.stringify), so no field is dropped or coerced on the way out.
 */
export default async function apiV2(app: FastifyInstance, opts: V2Deps) {
  useShapesAsBuilt(app);
  registerRoutes(app, v2Routes(opts));
}

/** For an encapsulated API plugin: no schema validation, no schema-driven serialization. */
export function useShapesAsBuilt(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
