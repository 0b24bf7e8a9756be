// The body of a webhook post, built field by field from what the queue recorded: nothing else can reach a receiver
// (never a key, a value, a passphrase, a memo or an address). docs/webhooks.md shows WEBHOOK_PAYLOAD_SCHEMA.
import { WEBHOOK_EVENT_TYPES, type QueuedEvent, type WebhookEventType } from '../domain/webhook-queue.js';

export interface WebhookPayload {
  type: WebhookEventType;
  /** When the event happened, ISO 8601 with milliseconds. */
  timestamp: string;
  data: {
    shortid: string;
    custid: string;
    state: string;
    /** Seconds, and times in epoch seconds, as v2 receipts give them. */
    ttl: number;
    created: number;
    updated: number;
    expires: number;
    recipient_digest?: string;
    display_name?: string;
  };
}

/** The JSON text posted for `event` (signed as these exact bytes). */
export function webhookBody(event: QueuedEvent): string {
  const { facts } = event;
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: new Date(event.at).toISOString(),
    data: {
      shortid: facts.shortid,
      custid: facts.custid,
      state: facts.state,
      ttl: facts.ttl,
      created: facts.created,
      updated: facts.updated,
      expires: facts.created + facts.ttl,
      ...(event.type === 'incoming.received' && { recipient_digest: facts.recipientDigest ?? '', display_name: facts.recipientName ?? '' }),
    },
  };
  return JSON.stringify(payload);
}

const epochSeconds = { type: 'integer', minimum: 0, description: 'Epoch seconds.' } as const;
const BASE_FIELDS = ['shortid', 'custid', 'state', 'ttl', 'created', 'updated', 'expires'] as const;

/** The payload as a JSON Schema (draft 2020-12): the one description docs and tests use. */
export const WEBHOOK_PAYLOAD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ots-server webhook payload',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'timestamp', 'data'],
  properties: {
    type: { enum: [...WEBHOOK_EVENT_TYPES] },
    timestamp: { type: 'string', format: 'date-time', description: 'When the event happened (ISO 8601, UTC, milliseconds).' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: [...BASE_FIELDS],
      properties: {
        shortid: { type: 'string', minLength: 1, description: "The receipt's v2 shortid (never a secret or receipt key)." },
        custid: { type: 'string', minLength: 1, description: "The owner: an account's email, or `anon`." },
        state: { type: 'string', description: "The receipt's state after the event." },
        ttl: { type: 'integer', minimum: 0, description: "The secret's lifespan in seconds." },
        created: epochSeconds,
        updated: epochSeconds,
        expires: { ...epochSeconds, description: 'Epoch seconds: created + ttl.' },
        recipient_digest: { type: 'string', description: "incoming.received only: the recipient's public digest." },
        display_name: { type: 'string', description: "incoming.received only: the recipient's public display name." },
      },
    },
  },
  // The recipient fields come with incoming.received and only with it.
  if: { properties: { type: { const: 'incoming.received' } } },
  then: { properties: { data: { type: 'object', required: ['recipient_digest', 'display_name'] } } },
  else: { properties: { data: { type: 'object', not: { anyOf: [{ type: 'object', required: ['recipient_digest'] }, { type: 'object', required: ['display_name'] }] } } } },
} as const;
