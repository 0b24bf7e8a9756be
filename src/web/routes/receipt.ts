// The creator's receipt page and its burn button, through SecretsService.viewReceipt and .burn (same rules as
// the API: the receipt owner rule (RECEIPTS_OWNER_ONLY), passphrase needed to burn a protected secret, the
// guessing limit). The page answers at /private/<key> and at /receipt/<key>, the address v2 clients hand out
// (`receipt_url`); /receipt/<key>/burn (v2's `burn_url`) shows the same page with its burn button.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OtsError, type ErrorCode } from '../../domain/errors.js';
import { receiptView } from '../../api/v1/receipt-view.js';
import type { ReceiptRecord } from '../../domain/receipt.js';
import { describeError, pageStatus, retryHeaders } from '../error-page.js';
import { sendHtml } from '../headers.js';
import type { WebOptions } from '../options.js';
import { burnedPage, receiptPage } from '../pages/receipt.js';
import { viewFor } from '../view.js';

type KeyRequest = FastifyRequest<{ Params: { key: string } }>;

// A burn the visitor can retry from the receipt page: a wrong passphrase, too many guesses, or a secret read or
// burned meanwhile (then the page shows its new state).
const RETRYABLE: readonly ErrorCode[] = ['incorrect_passphrase', 'too_many_attempts', 'rate_limited', 'secret_gone'];

export default async function receiptRoutes(app: FastifyInstance, opts: WebOptions) {
  const { service, config } = opts;
  const now = opts.now ?? Date.now;
  const pageOptions = (r: ReceiptRecord, error?: string) => ({
    publicUrl: config.publicUrl,
    nowSeconds: Math.floor(now() / 1000),
    error,
    ...(r.source === 'incoming' ? { incoming: { recipientName: r.recipientName ?? '', memo: r.memo ?? '' } } : {}),
  });
  const page = async (req: KeyRequest, reply: FastifyReply) => {
    const found = await service.viewReceipt(req.params.key, req.actor);
    return sendHtml(reply, 200, receiptPage(viewFor(req), receiptView(found.receipt, found), pageOptions(found.receipt)));
  };

  for (const url of ['/private/:key', '/receipt/:key', '/receipt/:key/burn']) {
    app.get(url, { config: { rateClass: 'receipt' } }, page);
  }

  const burn = async (req: KeyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const view = viewFor(req);
    const { key } = req.params;
    try {
      await service.burn(key, req.otsParams.passphrase, req.actor);
      return sendHtml(reply, 200, burnedPage(view, key));
    } catch (err) {
      if (!(err instanceof OtsError) || !RETRYABLE.includes(err.code)) throw err;
      // An unknown receipt throws again here: the not-found page.
      const found = await service.viewReceipt(key, req.actor);
      const gone = err.code === 'secret_gone';
      const error = gone ? undefined : describeError(err, view.t, config);
      const status = gone ? 409 : pageStatus(err);
      return sendHtml(reply.headers(retryHeaders(err)), status, receiptPage(view, receiptView(found.receipt, found), pageOptions(found.receipt, error)));
    }
  };
  for (const url of ['/private/:key/burn', '/receipt/:key/burn']) app.post(url, { config: { rateClass: 'burn' } }, burn);
}
