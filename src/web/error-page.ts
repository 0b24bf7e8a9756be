// Failures on web routes become pages in the visitor's language, never the API's JSON. Statuses are the real
// ones (the API's compat-404 is a wire contract for clients, not for browsers).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OtsError } from '../domain/errors.js';
import { intendedStatus } from '../api/v1/errors.js';
import { logFailure, toOtsError } from '../plugins/errors.js';
import { sendHtml } from './headers.js';
import { formatDuration, type Catalogue } from './i18n/index.js';
import type { WebOptions } from './options.js';
import { messagePage } from './pages/message.js';
import { viewFor } from './view.js';

type Limits = Pick<WebOptions['config'], 'maxSecretBytes' | 'passphraseMinLength'>;

/** The contract's error, in words for a person. */
export function describeError(e: OtsError, t: Catalogue, limits: Limits): string {
  switch (e.code) {
    case 'nothing_to_share':
      return t.errNothingToShare;
    case 'secret_too_large':
      return t.errTooLarge(limits.maxSecretBytes);
    case 'passphrase_too_long':
      return t.errPassphraseTooLong;
    case 'passphrase_too_short':
      return t.errPassphraseTooShort(limits.passphraseMinLength);
    case 'incorrect_passphrase':
      return t.errIncorrectPassphrase;
    case 'secret_required':
      return t.errSecretRequired;
    case 'recipient_required':
      return t.errRecipientRequired;
    case 'unknown_recipient':
      return t.errUnknownRecipient;
    case 'rate_limited':
    case 'too_many_attempts':
    case 'incoming_limited':
      return t.errRateLimited(formatDuration(e.details.retryAfter ?? 60, t));
    case 'store_unavailable':
      return t.errStoreUnavailable;
    case 'unexpected':
      return t.errUnexpected;
  }
  const status = intendedStatus(e);
  return status === 401 || status === 403 ? t.errNotAuthorized : t.errBadRequest;
}

/** The page's HTTP status for an error: the status v1 names as intended (the pages send real statuses). */
export const pageStatus = intendedStatus;

/** Retry-After for a limit the visitor ran into. */
export function retryHeaders(e: OtsError): Record<string, string> {
  return e.details.retryAfter === undefined ? {} : { 'Retry-After': String(e.details.retryAfter) };
}

/** Which thing was not found, from the route that was asked for. */
function notFoundText(req: FastifyRequest, t: Catalogue): string {
  const route = req.routeOptions.url ?? '';
  if (route.startsWith('/secret/')) return t.secretNotFound;
  if (route.startsWith('/private/') || route.startsWith('/receipt/')) return t.receiptNotFound;
  return t.pageNotFound;
}

export function sendNotFoundPage(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const view = viewFor(req);
  return sendHtml(reply, 404, messagePage(view, view.t.notFoundTitle, notFoundText(req, view.t)));
}

/** The web routes' error handler. A 401 asks the browser for Basic credentials (email and API token). */
export function sendErrorPage(err: unknown, req: FastifyRequest, reply: FastifyReply, limits: Limits): FastifyReply {
  const e = toOtsError(err, limits.maxSecretBytes);
  logFailure(req, err, e);
  const status = pageStatus(e);
  if (status === 404) return sendNotFoundPage(req, reply);
  if (status === 401) reply.header('WWW-Authenticate', 'Basic realm="ots-server", charset="UTF-8"');
  const view = viewFor(req);
  return sendHtml(reply.headers(retryHeaders(e)), status, messagePage(view, view.t.errorTitle, describeError(e, view.t, limits)));
}
