import type { FastifyInstance } from 'fastify';
import type { SecretsService } from '../../domain/secrets-service.js';
import { generateSchema, revealSchema, shareSchema } from './schemas.js';

export default async function secretRoutes(app: FastifyInstance, opts: { service: SecretsService; publicUrl: string }) {
  const { service } = opts;
  const share = async (req: import('fastify').FastifyRequest) => service.share(req.otsParams, req.actor);
  app.post('/share', { schema: shareSchema() }, share);
  app.post('/create', { schema: shareSchema('/share') }, share);
  app.post('/generate', { schema: generateSchema }, async (req) => service.generate(req.otsParams, req.actor));
  app.post<{ Params: { key: string } }>('/secret/:key', { schema: revealSchema }, async (req) => {
    const revealed = await service.reveal(req.params.key, req.otsParams.passphrase);
    return { value: revealed.value, secret_key: revealed.secret_key, share_domain: opts.publicUrl };
  });
}
