import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAccount } from '../../auth/plugin.js';
import type { SecretsService } from '../../domain/secrets-service.js';
import { burnSchemaFor, receiptSchemaFor, recentSchemaFor } from './schemas.js';

type KeyRequest = FastifyRequest<{ Params: { key: string } }>;

/** Receipts under their three historical names: /private, /metadata and /receipt. */
export default async function receiptRoutes(app: FastifyInstance, opts: { service: SecretsService }) {
  const { service } = opts;
  for (const base of ['/private', '/metadata', '/receipt']) {
    // Static before parametric in Fastify's router: `recent` is never taken for a key.
    app.get(`${base}/recent`, { preHandler: requireAccount, schema: recentSchemaFor(base) }, async (req) => service.recent(req.actor));
    app.route({
      method: ['GET', 'POST'],
      url: `${base}/:key`,
      schema: receiptSchemaFor(base),
      handler: async (req: KeyRequest) => service.viewReceipt(req.params.key, req.actor),
    });
    app.post(`${base}/:key/burn`, { schema: burnSchemaFor(base) }, async (req: KeyRequest) =>
      service.burn(req.params.key, req.otsParams.passphrase, req.actor),
    );
  }
}
