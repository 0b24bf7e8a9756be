// The creator's receipt page and its burn button, through SecretsService.viewReceipt and .burn (same rules as
// the API: the receipt owner rule (RECEIPTS_OWNER_ONLY), passphrase needed to burn a protected secret, the guessing limit).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OtsError } from '../../domain/errors.js';
import { describeError } from '../error-page.js';
import { sendHtml } from '../headers.js';
import type { WebOptions } from '../options.js';
import { burnedPage, receiptPage } from '../pages/receipt.js';
import { viewFor } from '../view.js';

type KeyRequest = FastifyRequest<{ Params: { key: string } }>;

export default async function receiptRoutes(app: FastifyInstance, opts: WebOptions) {
  const { service, config } = opts;
  const now = opts.now ?? Date.now;
  const pageOptions = (error?: string) => ({ publicUrl: config.publicUrl, nowSeconds: Math.floor(now() / 1000), error });

  app.get('/private/:key', async (req: KeyRequest, reply) => {
    const receipt = await service.viewReceipt(req.params.key, req.actor);
    return sendHtml(reply, 200, receiptPage(viewFor(req), receipt, pageOptions()));
  });

  app.post('/private/:key/burn', async (req: KeyRequest, reply): Promise<FastifyReply> => {
    const view = viewFor(req);
    const { key } = req.params;
    try {
      await service.burn(key, req.otsParams.passphrase, req.actor);
      return sendHtml(reply, 200, burnedPage(view, key));
    } catch (err) {
      if (!(err instanceof OtsError) || ![400, 404, 429].includes(err.intendedStatus)) throw err;
      // Show the receipt as it now is: with the reason (wrong passphrase, too many guesses), or, when the secret
      // was read or burned meanwhile, its new state (409). An unknown receipt throws again: the not-found page.
      const receipt = await service.viewReceipt(key, req.actor);
      const error = err.intendedStatus === 404 ? undefined : describeError(err, view.t, config);
      const status = err.intendedStatus === 404 ? 409 : err.intendedStatus;
      return sendHtml(reply.headers(err.headers), status, receiptPage(view, receipt, pageOptions(error)));
    }
  });
}
