// Route schemas of the v1 API: the source of the OpenAPI document (docs/openapi.json) and of the response
// serializers.
//
// Two rules keep them from changing the wire:
// - Responses are serialized by fast-json-stringify, which drops properties a schema does not declare. Every field
//   of the contract is declared, and objects allow additional properties, so nothing is ever lost.
// - Request schemas document, they never validate: the API plugin compiles them to validators that accept
//   everything (see api/v1/index.ts), because the contract accepts parameters from the query and the body of
//   several content types, empty or malformed values included (`ttl=3600abc`).
import type { FastifySchema } from 'fastify';
import { STATES } from '../../domain/receipt.js';
import { SECRET_SIZE_LIMIT, TTL_DEFAULT, TTL_LIMITS } from '../documented-limits.js';

// ---- Shared component schemas (registered once with addSchema, referenced as `Name#`) ----

const receiptProperties = {
  custid: { type: 'string', description: 'The creating account\'s email, or `anon`.' },
  metadata_key: { type: 'string', description: 'The receipt\'s key; private to the creator.' },
  secret_key: {
    type: 'string',
    description: 'The shareable key (31 characters of base36). Omitted when `received`; `""` when `burned`, `expired` or `orphaned`.',
  },
  ttl: { type: 'integer', description: 'The secret\'s time-to-live in seconds as stored after clamping.' },
  metadata_ttl: { type: 'integer', description: 'Seconds left on the receipt.' },
  secret_ttl: {
    type: ['integer', 'null'],
    description: 'Seconds left on the secret; `null` when it is gone. Omitted when `received`.',
  },
  state: { type: 'string', enum: [...STATES], description: 'Where the secret is in its life.' },
  updated: { type: 'integer', description: 'Epoch seconds of the last change.' },
  created: { type: 'integer', description: 'Epoch seconds of creation.' },
  recipient: {
    type: 'array',
    items: { type: 'string' },
    description: 'Empty, or the obfuscated recipient address (`jo*****@m*****.org`).',
  },
  share_domain: { type: 'string', description: '`""` unless a share domain was given.' },
  received: { type: 'integer', description: 'Only when `received`: epoch seconds of the reveal.' },
  passphrase_required: {
    type: 'boolean',
    description: 'Present while the secret still exists: whether revealing it needs a passphrase.',
  },
} as const;

const receiptRequired = ['custid', 'metadata_key', 'ttl', 'metadata_ttl', 'state', 'updated', 'created', 'recipient', 'share_domain'];

export const receiptSchema = {
  $id: 'Receipt',
  type: 'object',
  description: 'A receipt (metadata): what the creator of a secret sees about it. Never the secret\'s value.',
  properties: receiptProperties,
  required: receiptRequired,
  additionalProperties: true,
} as const;

export const generatedReceiptSchema = {
  $id: 'GeneratedReceipt',
  type: 'object',
  description: 'The receipt of a generated secret, with the generated value (shown this once).',
  properties: { ...receiptProperties, value: { type: 'string', description: 'The generated password.' } },
  required: [...receiptRequired, 'value'],
  additionalProperties: true,
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description:
    'Every API error. In the default compat mode it is sent with HTTP 404 and the real status in the `X-OTS-Intended-Status` header (400, 401, 403, 404, 413, 429, 500, 503); with `API_ERROR_STATUS=intended` that status is sent. Rate-limit errors carry `Retry-After`.',
  properties: {
    message: {
      type: 'string',
      description: 'The exact message clients match on, e.g. `Unknown secret`, `Not authorized`, `Rate limit exceeded. Please try again later.`',
    },
    secret_key: { type: 'string', description: 'With `Unknown secret`: the key as sent.' },
  },
  required: ['message'],
  additionalProperties: true,
} as const;

export const sharedSchemas = [receiptSchema, generatedReceiptSchema, errorSchema];

const ref = (id: string) => ({ $ref: `${id}#` });

// ---- Requests (documentation only) ----

const PARAMS_NOTE =
  'Parameters may be sent in the query string, in the body (`application/x-www-form-urlencoded`, `multipart/form-data` or `application/json`) or both; the body wins. An empty value counts as absent.';

function params(properties: Record<string, object>) {
  const schema = { type: 'object', properties };
  return {
    querystring: schema,
    body: {
      content: {
        'application/x-www-form-urlencoded': { schema },
        'multipart/form-data': { schema },
        'application/json': { schema },
      },
    },
  };
}

const passphrase = { type: 'string', description: 'At most 128 characters.' };

const createParams = {
  passphrase: { ...passphrase, description: 'Optional passphrase the recipient must give to reveal the secret. At most 128 characters.' },
  ttl: {
    type: 'integer',
    description:
      `Seconds the secret lives; without it, ${TTL_DEFAULT}. Leading digits are read. ${TTL_LIMITS}. The receipt lives twice as long.`,
  },
  recipient: {
    type: 'string',
    description: 'Email address to send the link to (accounts only; `recipient[]` is accepted too). Stored obfuscated.',
  },
  share_domain: { type: 'string', description: 'A host name reported back in the receipt.' },
};

const keyParam = (description: string) => ({
  params: { type: 'object', properties: { key: { type: 'string', description } }, required: ['key'] },
});

const errors = { '4xx': ref('Error'), '5xx': ref('Error') };

// ---- Routes ----

type Security = { [scheme: string]: string[] }[];
// `{}` is "no credentials": anonymous callers are welcome.
const anyCaller: Security = [{}, { basicAuth: [] }];
const accountOnly: Security = [{ basicAuth: [] }];

const statusResponse = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['nominal', 'offline'], description: '`offline` when the store is unreachable.' },
    locale: { type: 'string' },
  },
  required: ['status', 'locale'],
  additionalProperties: true,
};

export const statusSchema: FastifySchema = {
  tags: ['status'],
  summary: 'Health of the service',
  security: anyCaller,
  response: { 200: statusResponse, ...errors },
};

export const authcheckSchema: FastifySchema = {
  tags: ['status'],
  summary: 'Check credentials',
  description: 'Answers like /status when the credentials are accepted, `Not authorized` otherwise.',
  security: accountOnly,
  response: { 200: statusResponse, ...errors },
};

export const shareSchema: FastifySchema = {
  tags: ['secrets'],
  summary: 'Share a secret',
  description: `Stores the given secret and answers its receipt (state \`new\`). ${PARAMS_NOTE}`,
  security: anyCaller,
  ...params({ secret: { type: 'string', description: `The secret, kept byte for byte. ${SECRET_SIZE_LIMIT}. Required.` }, ...createParams }),
  response: { 200: { ...ref('Receipt'), description: 'The receipt of the new secret.' }, ...errors },
};

export const generateSchema: FastifySchema = {
  tags: ['secrets'],
  summary: 'Generate and share a random password',
  description: `Generates a password (letters, digits, symbols; no look-alikes), stores it and answers its receipt with the value. ${PARAMS_NOTE}`,
  security: anyCaller,
  ...params({ length: { type: 'integer', description: 'Password length, default 12, at most 128.' }, ...createParams }),
  response: { 200: { ...ref('GeneratedReceipt'), description: 'The receipt, plus the generated value.' }, ...errors },
};

export const revealSchema: FastifySchema = {
  tags: ['secrets'],
  summary: 'Reveal a secret (once)',
  description: `Answers the secret and destroys it. A wrong or missing passphrase answers \`Unknown secret\` and leaves the secret in place. ${PARAMS_NOTE}`,
  security: anyCaller,
  ...keyParam('The secret key.'),
  ...params({ passphrase: { ...passphrase, description: 'The passphrase, when the secret has one.' } }),
  response: {
    200: {
      type: 'object',
      description: 'The secret.',
      properties: {
        value: { type: 'string', description: 'The secret, byte for byte.' },
        secret_key: { type: 'string' },
        share_domain: { type: 'string', description: 'The server\'s public origin, e.g. `https://secrets.example.com`.' },
      },
      required: ['value', 'secret_key', 'share_domain'],
      additionalProperties: true,
    },
    ...errors,
  },
};

export const viewReceiptSchema: FastifySchema = {
  tags: ['receipts'],
  summary: 'View a receipt',
  description:
    'The receipt of a secret; viewing a `new` receipt makes it `viewed`. Whoever holds the metadata key may view it; with `RECEIPTS_OWNER_ONLY=true`, receipts of an account\'s secrets need that account\'s credentials.',
  security: anyCaller,
  ...keyParam('The metadata key.'),
  response: { 200: { ...ref('Receipt'), description: 'The receipt.' }, ...errors },
};

export const burnSchema: FastifySchema = {
  tags: ['receipts'],
  summary: 'Burn an unread secret',
  description: `Destroys the secret; a passphrase-protected one needs its passphrase (\`Incorrect passphrase\` otherwise). ${PARAMS_NOTE}`,
  security: anyCaller,
  ...keyParam('The metadata key.'),
  ...params({ passphrase: { ...passphrase, description: 'The passphrase, when the secret has one.' } }),
  response: {
    200: {
      type: 'object',
      description: 'The burned receipt. Note that `state` is the receipt object.',
      properties: {
        state: ref('Receipt'),
        secret_shortkey: { type: 'string', description: 'The first 6 characters of the secret key.' },
      },
      required: ['state', 'secret_shortkey'],
      additionalProperties: true,
    },
    ...errors,
  },
};

export const recentSchema: FastifySchema = {
  tags: ['receipts'],
  summary: "The account's recent receipts",
  description: 'Live receipts (those still kept, in any state), newest first, without `secret_key`, with `secret_ttl` null.',
  security: accountOnly,
  response: { 200: { type: 'array', items: ref('Receipt'), description: 'The receipts.' }, ...errors },
};
