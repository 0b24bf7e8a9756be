// GET / shows the form; POST / creates through SecretsService.share and sends the creator to the receipt (303).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OtsError, type ErrorCode } from '../../domain/errors.js';
import { describeError, pageStatus } from '../error-page.js';
import { sendHtml, setPageSecurityHeaders } from '../headers.js';
import type { WebOptions } from '../options.js';
import { createPage, type CreateForm } from '../pages/create.js';
import { messagePage } from '../pages/message.js';
import { ttlChoices } from '../ttl-choices.js';
import { href, viewFor } from '../view.js';

// Refusals the visitor can fix in the form; anything else (401, 429, 503…) goes to the error page.
const FORM_ERRORS: readonly ErrorCode[] = ['nothing_to_share', 'secret_too_large', 'passphrase_too_long', 'passphrase_too_short'];

export default async function createRoutes(app: FastifyInstance, opts: WebOptions) {
  const { service, config } = opts;
  const form = (isAccount: boolean, ttl?: string): CreateForm => {
    const { choices, selected } = ttlChoices(config, isAccount, ttl);
    return {
      ttlChoices: choices,
      selectedTtl: selected,
      maxSecretBytes: config.maxSecretBytes,
      passphraseMinLength: config.passphraseMinLength,
    };
  };

  app.get('/', { config: { rateClass: false } }, async (req, reply) => {
    const view = viewFor(req);
    if (!service.mayCreate(req.actor)) {
      // A private instance (ALLOW_ANONYMOUS=false): let the browser ask for the account's email and API token.
      reply.header('WWW-Authenticate', 'Basic realm="ots-server", charset="UTF-8"');
      return sendHtml(reply, 401, messagePage(view, view.t.createTitle, view.t.accountRequired));
    }
    return sendHtml(reply, 200, createPage(view, form(req.actor.isAccount)));
  });

  app.post('/', { config: { rateClass: 'create' } }, async (req, reply): Promise<FastifyReply> => {
    const view = viewFor(req);
    const { secret, passphrase, ttl } = req.otsParams;
    try {
      const { receipt } = await service.share({ secret, passphrase, ttl }, req.actor);
      return setPageSecurityHeaders(reply)
        .code(303)
        .header('Cache-Control', 'no-store')
        .header('Location', href(view, `/private/${receipt.metadataKey}`))
        .send();
    } catch (err) {
      if (!(err instanceof OtsError) || !FORM_ERRORS.includes(err.code)) throw err;
      const error = describeError(err, view.t, config);
      return sendHtml(reply, pageStatus(err), createPage(view, { ...form(req.actor.isAccount, ttl), error, secret }));
    }
  });
}
