// Route schemas of the v2 API (and of the v3 routes built from them): the source of their part of the OpenAPI
// document. They document only: v2/v3 answers are serialized as they are (JSON.stringify) and requests are never
// validated by schema (the translation in params.ts decides), see api/v2/index.ts.
import type { FastifySchema } from 'fastify';
import { SECRET_SIZE_LIMIT, TTL_DEFAULT, TTL_LIMITS } from '../documented-limits.js';

const TAG = { secrets: 'v2 secrets', receipts: 'v2 receipts', meta: 'v2 meta' };

type Security = { [scheme: string]: string[] }[];
const anyCaller: Security = [{}, { basicAuth: [] }];
const accountOnly: Security = [{ basicAuth: [] }];

const error = { $ref: 'V2Error#' };
const errors = { '4xx': error, '5xx': error };
const keyParam = (description: string) => ({
  params: { type: 'object', properties: { key: { type: 'string', description } }, required: ['key'] },
});
const jsonBody = (properties: Record<string, object>, description: string) => ({
  body: { type: 'object', properties, description },
});
const answer = (description: string, properties: Record<string, object> = {}) => ({
  200: { type: 'object', description, properties: { success: { type: 'boolean' }, ...properties }, additionalProperties: true },
  ...errors,
});

const secret = { $ref: 'V2Secret#' };
const receipt = { $ref: 'V2Receipt#' };

const createPayload = {
  secret: {
    type: 'object',
    description: 'Everything is nested under `secret` (a form body may send `secret[ttl]=3600`).',
    properties: {
      secret: { type: 'string', description: `The secret, kept byte for byte (conceal only). ${SECRET_SIZE_LIMIT}. Required for conceal.` },
      ttl: { type: ['integer', 'string'], description: `Seconds; without it, ${TTL_DEFAULT}. ${TTL_LIMITS}.` },
      passphrase: { type: 'string', description: '`""` means none.' },
      recipient: { type: ['string', 'array'], items: { type: 'string' }, description: 'Email address(es); needs an account.' },
      share_domain: { type: 'string', description: "Ignored when it is this server's own host." },
      length: { type: 'integer', description: 'generate: password length, default 12, at most 128.' },
      character_sets: {
        type: 'object',
        description: 'generate: `uppercase`, `lowercase`, `numbers`, `symbols`, `exclude_ambiguous` (booleans, all true by default).',
      },
    },
  },
};

const created = (summary: string, description: string): FastifySchema => ({
  tags: [TAG.secrets],
  summary,
  description,
  security: anyCaller,
  ...jsonBody(createPayload, 'The secret to store.'),
  response: answer('The new receipt and secret.', {
    record: {
      type: 'object',
      properties: { receipt, metadata: receipt, secret, share_domain: { type: ['string', 'null'] } },
    },
    details: { type: 'object' },
  }),
});

export const conceal = created('Store a secret', 'Stores the given secret; answers its receipt (state `new`) and secret record.');
export const generate = created(
  'Generate and store a password',
  'Generates a password; it is answered once, in `record.secret.secret_value`, never again.',
);

export const showSecret: FastifySchema = {
  tags: [TAG.secrets],
  summary: "A secret's record, without revealing it",
  description: 'Never consumes the secret (`continue` is ignored on GET).',
  security: anyCaller,
  ...keyParam('The secret key.'),
  response: answer('The secret record (no value).', { record: secret, details: { type: 'object' } }),
};

export const reveal: FastifySchema = {
  tags: [TAG.secrets],
  summary: 'Reveal a secret (once)',
  description:
    'With `continue: true` answers the value (`record.secret_value`) and destroys the secret; without it only looks. A wrong or missing passphrase is 422 `Incorrect passphrase` and consumes nothing.',
  security: anyCaller,
  ...keyParam('The secret key.'),
  ...jsonBody({ continue: { type: ['boolean', 'string'] }, passphrase: { type: 'string' } }, 'Flat, not nested.'),
  response: answer('The secret record; with the value when revealed.', { record: secret, details: { type: 'object' } }),
};

export const secretStatus: FastifySchema = {
  tags: [TAG.secrets],
  summary: "A secret's state, without consuming it",
  description: 'An unknown or gone secret answers 200 `{"record": {"state": "unknown"}}`.',
  security: anyCaller,
  ...keyParam('The secret key.'),
  response: answer('The secret record and `details.current_expiration` (seconds left).', { record: secret }),
};

export const statusList: FastifySchema = {
  tags: [TAG.secrets],
  summary: 'States of several secrets',
  description:
    'At most 25 identifiers (array or CSV), each costing one unit of the reveal budget; unknown keys are left out; order follows the request.',
  security: anyCaller,
  ...jsonBody({ identifiers: { type: ['string', 'array'], items: { type: 'string' }, description: 'CSV or array.' } }, 'The keys.'),
  response: answer('The known secrets.', { records: { type: 'array', items: secret }, count: { type: 'integer' } }),
};

export const showReceipt: FastifySchema = {
  tags: [TAG.receipts],
  summary: 'View a receipt',
  description:
    'The receipt with its links (`share_url`, `receipt_url`, `burn_url` open this server\'s pages). Whoever holds the receipt key may view it; with `RECEIPTS_OWNER_ONLY=true` another account\'s receipt is 404.',
  security: anyCaller,
  ...keyParam('The receipt key.'),
  response: answer('The receipt.', { record: receipt, details: { type: 'object' } }),
};

export const burn: FastifySchema = {
  tags: [TAG.receipts],
  summary: 'Burn an unread secret',
  description:
    'Burns unless `continue` is explicitly not true; a protected secret needs its passphrase. `success: false` (200) when nothing was burned.',
  security: anyCaller,
  ...keyParam('The receipt key.'),
  ...jsonBody({ continue: { type: ['boolean', 'string'] }, passphrase: { type: 'string' } }, 'Flat, not nested.'),
  response: answer('The receipt after the burn.', { record: receipt, details: { type: 'object' } }),
};

export const updateMemo: FastifySchema = {
  tags: [TAG.receipts],
  summary: "Set a receipt's memo",
  description: 'Owner only. Tags are dropped, whitespace collapsed, and the memo cut to 500 characters.',
  security: accountOnly,
  ...keyParam('The receipt key.'),
  ...jsonBody({ memo: { type: 'string' } }, 'The memo.'),
  response: answer('The receipt.', { record: receipt }),
};

export const recent: FastifySchema = {
  tags: [TAG.receipts],
  summary: "The account's receipts of the last 30 days",
  description: 'Newest first, every state, at most `RECENT_LIMIT`. `scope=domain` is 422.',
  security: accountOnly,
  querystring: { type: 'object', properties: { scope: { type: 'string', enum: ['org', 'domain'] } } },
  response: answer('The receipts.', {
    custid: { type: 'string' },
    count: { type: 'integer' },
    records: { type: 'array', items: receipt },
    details: { type: 'object' },
  }),
};

export const receiptsBatch: FastifySchema = {
  tags: [TAG.receipts],
  summary: 'Several receipts at once (v3)',
  description: 'At most 25 identifiers (array or CSV), each costing one unit of the receipt budget; unknown ones are left out.',
  security: [{}],
  ...jsonBody({ identifiers: { type: ['string', 'array'], items: { type: 'string' } } }, 'The receipt keys.'),
  response: answer('The receipts.', { records: { type: 'array', items: receipt }, count: { type: 'integer' } }),
};

export const preflight: FastifySchema = {
  tags: [TAG.meta],
  summary: 'CORS preflight',
  description: 'Answers 204 with `Allow`; no origin is invited (`Access-Control-Allow-Origin` is not sent).',
  security: [{}],
  response: { 204: { type: 'null', description: 'No content.' } },
};

const meta = (summary: string, properties: Record<string, object>): FastifySchema => ({
  tags: [TAG.meta],
  summary,
  security: [{}],
  response: answer(summary, { ...properties, locale: { type: 'string' } }),
});

export const status = meta('Health of the service', { status: { type: 'string', enum: ['nominal', 'offline'] } });
export const supportedLocales = meta('Languages of the web pages', {
  locales: { type: 'array', items: { type: 'string' } },
  default_locale: { type: 'string' },
});
export const version = meta("The server's version", {
  version: { type: 'array', items: { type: 'string' }, description: 'Three strings, e.g. `["0","1","0"]`.' },
});

// ---- Shared component schemas (registered once with addSchema) ----

export const sharedV2Schemas = [
  {
    $id: 'V2Error',
    type: 'object',
    description: 'Every v2/v3 error (ADR-013), with the real HTTP status.',
    properties: {
      error: { type: 'string', description: 'A sentence for people, e.g. `Unknown secret`.' },
      error_type: {
        type: 'string',
        description: '`RecordNotFound`, `FormError`, `Unauthorized`, `GuestRoutesDisabled`, `LimitExceeded`, `NotFound`, `ServiceUnavailable`, `ServerError`.',
      },
      field: { type: 'string', description: 'The form field at fault, where one is.' },
      retry_after: { type: 'integer', description: 'With `LimitExceeded`: seconds to wait.' },
      max_attempts: { type: 'integer' },
      code: { type: 'string', description: 'With `GuestRoutesDisabled`: `GUEST_CONCEAL_DISABLED`, `GUEST_GENERATE_DISABLED`.' },
    },
    required: ['error', 'error_type'],
    additionalProperties: true,
  },
  {
    $id: 'V2Secret',
    type: 'object',
    description: 'A secret record: never the value, except `secret_value` in a reveal that won or a generate answer.',
    properties: {
      identifier: { type: 'string' },
      key: { type: 'string' },
      shortid: { type: 'string' },
      state: { type: 'string', enum: ['new', 'revealed'] },
      lifespan: { type: 'integer' },
      secret_ttl: { type: 'integer' },
      has_passphrase: { type: 'boolean' },
      created: { type: 'integer' },
      updated: { type: 'integer' },
      is_revealed: { type: 'boolean' },
      secret_value: { type: 'string' },
    },
    additionalProperties: true,
  },
  {
    $id: 'V2Receipt',
    type: 'object',
    description: 'A receipt record (v3 has no `custid`, and `recipients` is an array or null).',
    properties: {
      identifier: { type: 'string' },
      key: { type: 'string' },
      custid: { type: ['string', 'null'], description: "The account's email; null for anonymous secrets (v2 only)." },
      owner_id: { type: ['string', 'null'], description: "The account's customer id (`ur…`); null for anonymous secrets." },
      state: { type: 'string', enum: ['new', 'revealed', 'burned', 'expired', 'orphaned'] },
      secret_identifier: { type: 'string' },
      secret_ttl: { type: 'integer' },
      receipt_ttl: { type: 'integer' },
      lifespan: { type: 'integer' },
      share_domain: { type: ['string', 'null'] },
      created: { type: 'integer' },
      updated: { type: 'integer' },
      memo: { type: ['string', 'null'] },
      kind: { type: 'string', enum: ['conceal', 'generate'] },
      is_destroyed: { type: 'boolean' },
    },
    additionalProperties: true,
  },
];
