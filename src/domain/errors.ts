// Every refusal the service (and the HTTP edge) can make, as a code with the facts a wire version needs to word
// it. Each wire version maps codes to its own message, status and shape (src/api/v1/errors.ts,
// src/api/v2/errors.ts, the web's error page): nothing matches on message strings.

export type ErrorCode =
  | 'unknown_secret' // unknown, read, expired or burned secret
  | 'unknown_receipt'
  | 'secret_gone' // the receipt exists, its secret does not (read, burned, expired): nothing to burn
  | 'wrong_passphrase' // on reveal: v1 answers it like an unknown key
  | 'incorrect_passphrase' // on burn
  | 'too_many_attempts' // the per-secret passphrase guessing limit
  | 'rate_limited' // the per-client request budget
  | 'nothing_to_share'
  | 'incorrect_payload' // v2: `secret` is not an object
  | 'secret_too_large'
  | 'passphrase_too_long'
  | 'passphrase_too_short'
  | 'invalid_length' // generate: length not a positive number
  | 'length_too_long'
  | 'account_required' // a recipient needs an account
  | 'invalid_recipient'
  | 'anonymous_disabled' // ALLOW_ANONYMOUS=false
  | 'not_authorized' // credentials missing, wrong, or not enough for this route
  | 'not_receipt_owner' // RECEIPTS_OWNER_ONLY and someone else's receipt
  | 'not_memo_owner'
  | 'too_many_identifiers'
  | 'invalid_domain'
  | 'incoming_disabled' // incoming secrets are switched off
  | 'secret_required' // incoming: no secret content
  | 'recipient_required' // incoming submit: no recipient digest
  | 'recipient_hash_required' // incoming validate: no recipient digest
  | 'unknown_recipient' // incoming: the digest names no configured recipient
  | 'incoming_limited' // incoming: a submission tier is locked
  | 'malformed_body'
  | 'ill_formed_text' // a string that is not valid Unicode (a lone UTF-16 surrogate)
  | 'unsupported_media_type'
  | 'bad_request'
  | 'not_found' // unrouted path
  | 'store_unavailable'
  | 'request_timeout' // the request's head or body did not arrive in time (HEADERS_TIMEOUT, REQUEST_TIMEOUT)
  | 'headers_too_large'
  | 'unexpected';

export interface ErrorDetails {
  /** The key as the caller sent it (secret or receipt). */
  key?: string;
  /** Seconds until a limit lets the caller try again. */
  retryAfter?: number;
  /** The limit that was passed: bytes, characters, attempts or identifiers. */
  limit?: number;
  /** What an anonymous caller was refused: conceal or generate. */
  operation?: 'conceal' | 'generate';
  /** The request field a refusal is about. */
  field?: string;
}

export class OtsError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: ErrorDetails = {},
  ) {
    super(code);
    this.name = 'OtsError';
  }
}

/** Whole seconds (at least 1) a client is told to wait for a window that ends in `ms`: what Retry-After says. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

const make =
  (code: ErrorCode) =>
  (details: ErrorDetails = {}) =>
    new OtsError(code, details);

export const errors = {
  unknownSecret: (key: string) => new OtsError('unknown_secret', { key }),
  unknownReceipt: (key: string) => new OtsError('unknown_receipt', { key }),
  secretGone: (key: string) => new OtsError('secret_gone', { key }),
  wrongPassphrase: (key: string) => new OtsError('wrong_passphrase', { key }),
  incorrectPassphrase: make('incorrect_passphrase'),
  tooManyAttempts: (retryAfter: number, limit: number) => new OtsError('too_many_attempts', { retryAfter, limit }),
  rateLimited: (retryAfter: number) => new OtsError('rate_limited', { retryAfter }),
  nothingToShare: make('nothing_to_share'),
  incorrectPayload: make('incorrect_payload'),
  secretTooLarge: (limit: number) => new OtsError('secret_too_large', { limit }),
  passphraseTooLong: (limit: number) => new OtsError('passphrase_too_long', { limit }),
  passphraseTooShort: (limit: number) => new OtsError('passphrase_too_short', { limit }),
  invalidLength: make('invalid_length'),
  lengthTooLong: (limit: number) => new OtsError('length_too_long', { limit }),
  accountRequired: make('account_required'),
  invalidRecipient: make('invalid_recipient'),
  anonymousDisabled: (operation: 'conceal' | 'generate') => new OtsError('anonymous_disabled', { operation }),
  notAuthorized: make('not_authorized'),
  notReceiptOwner: (key: string) => new OtsError('not_receipt_owner', { key }),
  notMemoOwner: make('not_memo_owner'),
  tooManyIdentifiers: (limit: number) => new OtsError('too_many_identifiers', { limit }),
  invalidDomain: make('invalid_domain'),
  incomingDisabled: make('incoming_disabled'),
  secretRequired: make('secret_required'),
  recipientRequired: make('recipient_required'),
  recipientHashRequired: make('recipient_hash_required'),
  unknownRecipient: make('unknown_recipient'),
  incomingLimited: (retryAfter: number, limit: number) => new OtsError('incoming_limited', { retryAfter, limit }),
  malformedBody: make('malformed_body'),
  illFormedText: (field: string) => new OtsError('ill_formed_text', { field }),
  unsupportedMediaType: make('unsupported_media_type'),
  badRequest: make('bad_request'),
  notFound: make('not_found'),
  storeUnavailable: make('store_unavailable'),
  requestTimeout: make('request_timeout'),
  headersTooLarge: make('headers_too_large'),
  unexpected: make('unexpected'),
};
