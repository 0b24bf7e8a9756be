import type { FastifyInstance } from 'fastify';
import { registerRoutes } from '../route.js';
import { useShapesAsBuilt } from '../v2/index.js';
import type { V2Deps } from '../v2/routes.js';
import { v3Routes } from './routes.js';

/** The v3 guest routes under their prefix, on the same terms as v2 (see api/v2/index.ts). */
export default async function apiV3(app: FastifyInstance, opts: V2Deps) {
  useShapesAsBuilt(app);
  registerRoutes(app, v3Routes(opts));
}
