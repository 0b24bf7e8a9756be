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
  // Request schemas (schemas.ts) document the parameters for OpenAPI and never validate or coerce them: the
  // contract accepts whatever the query and body hold, and the service decides.
  app.setValidatorCompiler(() => () => true);
  await app.register(statusRoutes, { store: opts.store });
  await app.register(secretRoutes, { service: opts.service, publicUrl: opts.publicUrl });
  await app.register(receiptRoutes, { service: opts.service });
}
