import type { FastifyInstance } from 'fastify';
import { requireAccount } from '../../auth/plugin.js';
import type { Store } from '../../store/types.js';
import { authcheckSchema, statusSchema } from './schemas.js';

export default async function statusRoutes(app: FastifyInstance, opts: { store: Store }) {
  const status = async () => {
    try {
      await opts.store.ping();
      return { status: 'nominal', locale: 'en' };
    } catch {
      return { status: 'offline', locale: 'en' };
    }
  };
  app.get('/status', { schema: statusSchema }, status);
  app.get('/authcheck', { preHandler: requireAccount, schema: authcheckSchema }, status);
}
