// v1's words for every error code (the v1 contract of docs/api-v1.md, §5): the exact message clients match on and the status
// a modern API would use. Sent as HTTP 404 with `X-OTS-Intended-Status` (compat) or with that status (intended).
import type { FastifyReply } from 'fastify';
import type { ErrorCode, OtsError } from '../../domain/errors.js';

export type ErrorStatusMode = 'compat' | 'intended';

const UNKNOWN = 'Unknown secret';
const NOT_AUTHORIZED = 'Not authorized';
const RATE_LIMITED = 'Rate limit exceeded. Please try again later.';

/** Message and intended status of each code; `withKey` codes also echo the key as sent (`secret_key`). */
const V1: Record<ErrorCode, { message: (e: OtsError) => string; status: number; withKey?: true }> = {
  unknown_secret: { message: () => UNKNOWN, status: 404, withKey: true },
  unknown_receipt: { message: () => UNKNOWN, status: 404, withKey: true },
  secret_gone: { message: () => UNKNOWN, status: 404, withKey: true },
  // A wrong or missing passphrase on reveal answers exactly like an unknown key (§4).
  wrong_passphrase: { message: () => UNKNOWN, status: 404, withKey: true },
  incorrect_passphrase: { message: () => 'Incorrect passphrase', status: 400 },
  too_many_attempts: { message: () => RATE_LIMITED, status: 429 },
  rate_limited: { message: () => RATE_LIMITED, status: 429 },
  nothing_to_share: { message: () => 'You did not provide anything to share', status: 400 },
  incorrect_payload: { message: () => 'You did not provide anything to share', status: 400 },
  secret_too_large: { message: (e) => `Secret value exceeds the maximum size of ${e.details.limit} bytes`, status: 413 },
  passphrase_too_long: { message: (e) => `Passphrase must be no more than ${e.details.limit} characters long`, status: 400 },
  passphrase_too_short: { message: (e) => `Passphrase must be at least ${e.details.limit} characters long`, status: 400 },
  invalid_length: { message: () => 'Bad request', status: 400 },
  length_too_long: { message: () => 'Bad request', status: 400 },
  account_required: { message: () => 'An account is required to send emails.', status: 403 },
  invalid_recipient: { message: () => 'Bad request', status: 400 },
  anonymous_disabled: { message: () => NOT_AUTHORIZED, status: 401 },
  not_authorized: { message: () => NOT_AUTHORIZED, status: 401 },
  not_receipt_owner: { message: () => NOT_AUTHORIZED, status: 401 },
  not_memo_owner: { message: () => NOT_AUTHORIZED, status: 401 },
  too_many_identifiers: { message: () => 'Bad request', status: 400 },
  invalid_domain: { message: () => 'Bad request', status: 400 },
  // Incoming secrets answer only in v2's shape; these are the web pages' statuses.
  incoming_disabled: { message: () => 'Not Found', status: 404 },
  secret_required: { message: () => 'Bad request', status: 422 },
  recipient_required: { message: () => 'Bad request', status: 422 },
  recipient_hash_required: { message: () => 'Bad request', status: 422 },
  unknown_recipient: { message: () => 'Bad request', status: 422 },
  incoming_limited: { message: () => RATE_LIMITED, status: 429 },
  malformed_body: { message: () => 'Bad request', status: 400 },
  ill_formed_text: { message: (e) => `Invalid text in ${e.details.field || 'the request'}: not valid Unicode`, status: 400 },
  unsupported_media_type: { message: () => 'Unsupported Media Type', status: 415 },
  bad_request: { message: () => 'Bad request', status: 400 },
  not_found: { message: () => 'Not Found', status: 404 },
  store_unavailable: { message: () => "We'll be back shortly!", status: 503 },
  unexpected: { message: () => 'An unexpected error occurred :[', status: 500 },
  request_timeout: { message: () => 'Request Timeout', status: 408 },
  headers_too_large: { message: () => 'Request Header Fields Too Large', status: 431 },
};

/** The status a modern API would use for this error; the web pages send it too. */
export function intendedStatus(e: OtsError): number {
  return V1[e.code].status;
}

/** An error as status, headers and body: what sendV1Error sends, and what a raw socket answer writes. */
export function v1ErrorParts(e: OtsError, mode: ErrorStatusMode) {
  const { message, status, withKey } = V1[e.code];
  const body: Record<string, string> = { message: message(e) };
  if (withKey && e.details.key !== undefined) body.secret_key = e.details.key;
  const headers: Record<string, string> = { 'X-OTS-Intended-Status': String(status) };
  if (e.details.retryAfter !== undefined) headers['Retry-After'] = String(e.details.retryAfter);
  return { status: mode === 'intended' ? status : 404, headers, body };
}

export function sendV1Error(reply: FastifyReply, e: OtsError, mode: ErrorStatusMode): FastifyReply {
  const { status, headers, body } = v1ErrorParts(e, mode);
  return reply.code(status).headers(headers).send(body);
}
