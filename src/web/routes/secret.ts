// The recipient's pages. GET only looks (SecretsService.peek), so link previews and mail scanners that follow
// links leave the secret intact; POST reveals once through SecretsService.reveal, exactly as the API does.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OtsError } from '../../domain/errors.js';
import { describeError, retryHeaders, sendNotFoundPage } from '../error-page.js';
import { sendHtml } from '../headers.js';
import type { WebOptions } from '../options.js';
import { revealedPage, waitingPage } from '../pages/secret.js';
import { viewFor } from '../view.js';

type KeyRequest = FastifyRequest<{ Params: { key: string } }>;

/** What the waiting page shows of a secret still there, or null. */
async function waiting(service: WebOptions['service'], key: string) {
  const info = await service.inspect(key);
  return info && { passphraseRequired: info.passphraseProtected, secretTtl: info.secretTtl };
}

export default async function secretRoutes(app: FastifyInstance, opts: WebOptions) {
  const { service, config } = opts;

  app.get('/secret/:key', { config: { rateClass: 'reveal' } }, async (req: KeyRequest, reply) => {
    const found = await waiting(service, req.params.key);
    if (!found) return sendNotFoundPage(req, reply);
    return sendHtml(reply, 200, waitingPage(viewFor(req), { key: req.params.key, ...found }));
  });

  app.post('/secret/:key', { config: { rateClass: 'reveal' } }, async (req: KeyRequest, reply): Promise<FastifyReply> => {
    const view = viewFor(req);
    const { key } = req.params;
    const passphrase = req.otsParams.passphrase;
    try {
      const { value } = await service.reveal(key, passphrase);
      return sendHtml(reply, 200, revealedPage(view, value));
    } catch (err) {
      if (!(err instanceof OtsError) || !['wrong_passphrase', 'too_many_attempts', 'rate_limited'].includes(err.code)) throw err;
      // The secret is still there (a wrong passphrase, or guesses used up): ask again.
      const found = await waiting(service, key);
      if (!found) throw err;
      const limited = err.code !== 'wrong_passphrase';
      const error = limited
        ? describeError(err, view.t, config)
        : passphrase === undefined
          ? view.t.missingPassphrase
          : view.t.wrongPassphrase;
      return sendHtml(reply.headers(retryHeaders(err)), limited ? 429 : 400, waitingPage(view, { key, ...found, error }));
    }
  });
}
