// Failures on web routes become pages in the visitor's language, never the API's JSON. Statuses are the real
// ones (the API's compat-404 is a wire contract for clients, not for browsers).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, type OtsError } from '../domain/errors.js';
import { logFailure, toOtsError } from '../plugins/errors.js';
import { sendHtml } from './headers.js';
import { formatDuration, type Catalogue } from './i18n/index.js';
import type { WebOptions } from './options.js';
import { messagePage } from './pages/message.js';
import { viewFor } from './view.js';
import { routeOf } from '../plugins/route-of.js';

type Limits = Pick<WebOptions['config'], 'maxSecretBytes' | 'passphraseMinLength'>;

/** The contract's error, in words for a person. */
export function describeError(e: OtsError, t: Catalogue, limits: Limits): string {
  switch (e.message) {
    case errors.nothingToShare().message:
      return t.errNothingToShare;
    case errors.secretTooLarge(limits.maxSecretBytes).message:
      return t.errTooLarge(limits.maxSecretBytes);
    case errors.passphraseTooLong().message:
      return t.errPassphraseTooLong;
    case errors.passphraseTooShort(limits.passphraseMinLength).message:
      return t.errPassphraseTooShort(limits.passphraseMinLength);
    case errors.incorrectPassphrase().message:
      return t.errIncorrectPassphrase;
  }
  switch (e.intendedStatus) {
    case 401:
    case 403:
      return t.errNotAuthorized;
    case 429:
      return t.errRateLimited(formatDuration(Number(e.headers['Retry-After'] ?? 60), t));
    case 503:
      return t.errStoreUnavailable;
    case 500:
      return t.errUnexpected;
    default:
      return t.errBadRequest;
  }
}

/** Which thing was not found, from the route that was asked for. */
function notFoundText(req: FastifyRequest, t: Catalogue): string {
  const route = routeOf(req).url ?? '';
  if (route.startsWith('/secret/')) return t.secretNotFound;
  if (route.startsWith('/private/')) return t.receiptNotFound;
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
  if (e.intendedStatus === 404) return sendNotFoundPage(req, reply);
  if (e.intendedStatus === 401) reply.header('WWW-Authenticate', 'Basic realm="ots-server", charset="UTF-8"');
  const view = viewFor(req);
  return sendHtml(reply.headers(e.headers), e.intendedStatus, messagePage(view, view.t.errorTitle, describeError(e, view.t, limits)));
}
