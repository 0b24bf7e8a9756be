import type { FastifyInstance } from 'fastify';
import type { SecretsService } from '../../domain/secrets-service.js';

export default async function secretRoutes(app: FastifyInstance, opts: { service: SecretsService; publicUrl: string }) {
  const { service } = opts;
  const share = async (req: import('fastify').FastifyRequest) => service.share(req.otsParams, req.actor);
  app.post('/share', share);
  app.post('/create', share);
  app.post('/generate', async (req) => service.generate(req.otsParams, req.actor));
  app.post<{ Params: { key: string } }>('/secret/:key', async (req) => {
    const revealed = await service.reveal(req.params.key, req.otsParams.passphrase);
    return { value: revealed.value, secret_key: revealed.secret_key, share_domain: opts.publicUrl };
  });
}
