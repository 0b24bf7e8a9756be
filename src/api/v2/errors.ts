// v2's and v3's words for every error code (the v2 contract of docs/api-v2.md, §5, ADR-013): `{error, error_type, …}` with
// the real HTTP status, always JSON.
import type { FastifyReply } from 'fastify';
import type { ErrorCode, OtsError } from '../../domain/errors.js';

interface Wording {
  status: number;
  type: string;
  error: (e: OtsError) => string;
  field?: string;
  /** Extra body fields from the error's details. */
  extra?: (e: OtsError) => Record<string, unknown>;
}

const form = (error: (e: OtsError) => string, field?: string): Wording => ({ status: 422, type: 'FormError', error, field });
const unknownSecret: Wording = { status: 404, type: 'RecordNotFound', error: () => 'Unknown secret' };
const unknownReceipt: Wording = { status: 404, type: 'RecordNotFound', error: () => 'Unknown receipt' };
const unauthorized = (error: string): Wording => ({ status: 401, type: 'Unauthorized', error: () => error });
const retry = (e: OtsError) => ({ retry_after: e.details.retryAfter });

const V2: Record<ErrorCode, Wording> = {
  unknown_secret: unknownSecret,
  unknown_receipt: unknownReceipt,
  secret_gone: unknownSecret,
  // Another account's receipt under RECEIPTS_OWNER_ONLY: its existence is not revealed (§10.3).
  not_receipt_owner: unknownReceipt,
  wrong_passphrase: form(() => 'Incorrect passphrase'),
  incorrect_passphrase: form(() => 'Double check that passphrase'),
  too_many_attempts: {
    status: 429,
    type: 'LimitExceeded',
    error: () => 'Too many incorrect passphrase attempts. Please try again later.',
    extra: (e) => ({ ...retry(e), max_attempts: e.details.limit }),
  },
  rate_limited: { status: 429, type: 'LimitExceeded', error: () => 'Rate limit exceeded. Please try again later.', extra: retry },
  nothing_to_share: form(() => 'You did not provide anything to share', 'secret'),
  incorrect_payload: form(() => 'Incorrect payload format', 'secret'),
  secret_too_large: form((e) => `Secret content must be no more than ${e.details.limit} bytes long`, 'secret'),
  passphrase_too_long: form((e) => `Passphrase must be no more than ${e.details.limit} characters long`),
  passphrase_too_short: form((e) => `Passphrase must be at least ${e.details.limit} characters long`),
  invalid_length: form(() => 'Length must be positive', 'length'),
  length_too_long: form((e) => `Generated password length must be no more than ${e.details.limit} characters`, 'length'),
  account_required: unauthorized('An account is required to send emails.'),
  invalid_recipient: form(() => 'Invalid recipient address', 'recipient'),
  anonymous_disabled: {
    status: 403,
    type: 'GuestRoutesDisabled',
    error: (e) => `Guest ${e.details.operation} is disabled`,
    extra: (e) => ({ code: `GUEST_${e.details.operation!.toUpperCase()}_DISABLED` }),
  },
  not_authorized: unauthorized('Not authorized'),
  not_memo_owner: unauthorized('Not authorized to update this receipt'),
  too_many_identifiers: form((e) => `Too many identifiers (max ${e.details.limit})`, 'identifiers'),
  invalid_domain: form(() => 'Invalid domain'),
  // Incoming secrets (docs/contracts/ots-incoming-api.md §4.1, §8.8).
  incoming_disabled: form(() => 'Incoming secrets feature is not enabled'),
  secret_required: form(() => 'Secret content is required', 'secret'),
  recipient_required: form(() => 'Recipient is required', 'recipient'),
  recipient_hash_required: form(() => 'Recipient hash is required', 'recipient'),
  unknown_recipient: form(() => 'Invalid recipient', 'recipient'),
  incoming_limited: {
    status: 429,
    type: 'LimitExceeded',
    error: () => 'Too many incoming secret submissions. Please try again later.',
    extra: (e) => ({ ...retry(e), max_attempts: e.details.limit }),
  },
  malformed_body: { status: 400, type: 'FormError', error: () => 'Malformed request body' },
  ill_formed_text: {
    status: 422,
    type: 'FormError',
    error: (e) => `Invalid text in ${e.details.field || 'the request'}: not valid Unicode`,
    extra: (e) => (e.details.field ? { field: e.details.field } : {}),
  },
  bad_request: { status: 400, type: 'FormError', error: () => 'Malformed request' },
  unsupported_media_type: { status: 415, type: 'FormError', error: () => 'Unsupported Media Type' },
  not_found: { status: 404, type: 'NotFound', error: () => 'Not Found' },
  store_unavailable: { status: 503, type: 'ServiceUnavailable', error: () => "We'll be back shortly!" },
  unexpected: { status: 500, type: 'ServerError', error: () => 'Internal Server Error' },
  request_timeout: { status: 408, type: 'RequestTimeout', error: () => 'Request Timeout' },
  headers_too_large: { status: 431, type: 'RequestHeaderFieldsTooLarge', error: () => 'Request Header Fields Too Large' },
};

/** Seconds a client is told to wait when the store is unreachable. */
const UNAVAILABLE_RETRY_AFTER = 5;

/** An error as status, headers and body: what sendV2Error sends, and what a raw socket answer writes. */
export function v2ErrorParts(e: OtsError) {
  const w = V2[e.code];
  const body: Record<string, unknown> = { error: w.error(e), error_type: w.type };
  if (w.field) body.field = w.field;
  Object.assign(body, w.extra?.(e));
  const headers: Record<string, string> = {};
  const retryAfter = e.details.retryAfter ?? (e.code === 'store_unavailable' ? UNAVAILABLE_RETRY_AFTER : undefined);
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  return { status: w.status, headers, body };
}

export function sendV2Error(reply: FastifyReply, e: OtsError): FastifyReply {
  const { status, headers, body } = v2ErrorParts(e);
  // Error bodies never go through a route's response schema.
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}
