import type { FastifyInstance } from 'fastify';
import type { SecretsService } from '../../domain/secrets-service.js';
import type { Store } from '../../store/types.js';
import receiptRoutes from './receipts.js';
import secretRoutes from './secrets.js';
import statusRoutes from './status.js';

export interface ApiV1Options {
  service: SecretsService;
  store: Store;
  publicUrl: string;
}

export default async function apiV1(app: FastifyInstance, opts: ApiV1Options) {
  await app.register(statusRoutes, { store: opts.store });
  await app.register(secretRoutes, { service: opts.service, publicUrl: opts.publicUrl });
  await app.register(receiptRoutes, { service: opts.service });
}
