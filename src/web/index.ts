// The web pages: server-rendered HTML for recipients (/secret/:key), creators (/, /private/:key) and incoming
// senders (/incoming), on the same services as the API. Encapsulated (not fastify-plugin): its error handler and same-origin check apply to
// these routes only, so the API keeps its JSON errors.
import type { FastifyInstance } from 'fastify';
import { assetRoutes } from './assets.js';
import { sendErrorPage, sendNotFoundPage } from './error-page.js';
import { sendHtml } from './headers.js';
import type { WebOptions } from './options.js';
import { messagePage } from './pages/message.js';
import createRoutes from './routes/create.js';
import incomingRoutes from './routes/incoming.js';
import receiptRoutes from './routes/receipt.js';
import secretRoutes from './routes/secret.js';
import { isCrossSitePost } from './same-origin.js';
import { viewFor } from './view.js';

export type { WebOptions };
/** For the app's not-found handler: unrouted paths outside /api get the friendly HTML 404. */
export { sendNotFoundPage };

export default async function webPages(app: FastifyInstance, opts: WebOptions) {
  app.setErrorHandler((err, req, reply) => sendErrorPage(err, req, reply, opts.config));

  // Before the body is read: a cross-site post is refused without touching any secret.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST' || !isCrossSitePost(req, opts.config.publicUrl)) return;
    const view = viewFor(req);
    req.log.warn('cross-site form post refused');
    return sendHtml(reply, 403, messagePage(view, view.t.errorTitle, view.t.errCrossSite));
  });

  await app.register(assetRoutes);
  await app.register(createRoutes, opts);
  await app.register(secretRoutes, opts);
  await app.register(receiptRoutes, opts);
  await app.register(incomingRoutes, opts);
}
