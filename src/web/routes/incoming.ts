// GET /incoming shows the form; POST /incoming submits through IncomingService (same rules and limits as
// /api/incoming/secret) and sends the sender to /incoming/<receipt key> (303); that page needs no lookup, so it is
// no oracle for keys (docs/contracts/ots-incoming-api.md §8.13).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OtsError, type ErrorCode } from '../../domain/errors.js';
import { isWellFormedKey } from '../../domain/keys.js';
import { clientGroup } from '../../rate-limit/client-address.js';
import { describeError, pageStatus, sendNotFoundPage } from '../error-page.js';
import { sendHtml, setPageSecurityHeaders } from '../headers.js';
import type { WebOptions } from '../options.js';
import { incomingPage, incomingSentPage } from '../pages/incoming.js';
import { messagePage } from '../pages/message.js';
import { href, viewFor } from '../view.js';

// Refusals the sender can fix in the form; anything else (429, 503…) goes to the error page.
const FORM_ERRORS: readonly ErrorCode[] = ['secret_required', 'secret_too_large', 'recipient_required', 'unknown_recipient'];

export default async function incomingRoutes(app: FastifyInstance, opts: WebOptions) {
  const { incoming } = app;
  const unavailable = (req: FastifyRequest, reply: FastifyReply) => {
    const view = viewFor(req);
    return sendHtml(reply, 404, messagePage(view, view.t.incomingUnavailable, view.t.incomingUnavailableBody));
  };

  app.get('/incoming', { config: { rateClass: false } }, async (req, reply) => {
    if (!incoming.enabled) return unavailable(req, reply);
    return sendHtml(reply, 200, incomingPage(viewFor(req), { config: incoming.config() }));
  });

  app.post('/incoming', { config: { rateClass: 'create' } }, async (req, reply): Promise<FastifyReply> => {
    if (!incoming.enabled) return unavailable(req, reply);
    const view = viewFor(req);
    const { recipient, secret, memo } = req.otsParams;
    try {
      const { snapshot } = await incoming.submit({ secret, recipient, memo }, clientGroup(req.ip));
      return setPageSecurityHeaders(reply)
        .code(303)
        .header('Cache-Control', 'no-store')
        .header('Location', href(view, `/incoming/${snapshot.receipt.metadataKey}`))
        .send();
    } catch (err) {
      if (!(err instanceof OtsError) || !FORM_ERRORS.includes(err.code)) throw err;
      const error = describeError(err, view.t, opts.config);
      return sendHtml(reply, pageStatus(err), incomingPage(view, { config: incoming.config(), error, recipient, secret, memo }));
    }
  });

  app.get('/incoming/:receiptKey', { config: { rateClass: false } }, async (req, reply) => {
    const { receiptKey } = req.params as { receiptKey: string };
    if (!isWellFormedKey(receiptKey)) return sendNotFoundPage(req, reply);
    return sendHtml(reply, 200, incomingSentPage(viewFor(req), receiptKey));
  });
}
