// The webhook body: exactly the documented fields, valid against WEBHOOK_PAYLOAD_SCHEMA, nothing else.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, type QueuedEvent } from '../../src/domain/webhook-queue.js';
import { webhookBody, WEBHOOK_PAYLOAD_SCHEMA } from '../../src/webhooks/payload.js';

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const validate = new Ajv2020({ formats: { 'date-time': ISO_MS } }).compile(WEBHOOK_PAYLOAD_SCHEMA);

function event(over: Partial<QueuedEvent> = {}): QueuedEvent {
  return {
    id: '1765148400000-0',
    messageId: 'msg_0a1b2c3d4e5f',
    target: '*',
    type: 'secret.revealed',
    at: 1_765_148_400_123,
    facts: { shortid: 'abcd1234', custid: 'alice@example.com', state: 'received', ttl: 3600, created: 1_765_148_000, updated: 1_765_148_400 },
    deliveries: 1,
    ...over,
  };
}

describe('webhook payload', () => {
  it('is the type, the ISO time of the event, and the receipt facts with expires = created + ttl', () => {
    expect(JSON.parse(webhookBody(event()))).toEqual({
      type: 'secret.revealed',
      timestamp: '2025-12-07T23:00:00.123Z',
      data: { shortid: 'abcd1234', custid: 'alice@example.com', state: 'received', ttl: 3600, created: 1_765_148_000, updated: 1_765_148_400, expires: 1_765_151_600 },
    });
  });

  it('validates against the schema for every event type', () => {
    for (const type of WEBHOOK_EVENT_TYPES) {
      const facts = { ...event().facts, recipientDigest: 'f00dfeed', recipientName: 'Security Team' };
      const body = JSON.parse(webhookBody(event({ type, facts })));
      expect(validate(body), `${type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(Object.keys(body.data).includes('recipient_digest')).toBe(type === 'incoming.received');
      expect(Object.keys(body.data).includes('display_name')).toBe(type === 'incoming.received');
    }
  });

  it('carries recipient digest and display name for incoming.received only', () => {
    const facts = { ...event().facts, recipientDigest: 'f00dfeed', recipientName: 'Security Team' };
    expect(JSON.parse(webhookBody(event({ type: 'incoming.received', facts }))).data).toMatchObject({ recipient_digest: 'f00dfeed', display_name: 'Security Team' });
  });

  it('never passes on anything the recorded facts hold beyond the documented fields', () => {
    const facts = { ...event().facts, secretKey: 'SECRETKEY', metadataKey: 'RECEIPTKEY', value: 'VALUE', passphrase: 'PASS', memo: 'MEMO' } as QueuedEvent['facts'];
    const body = webhookBody(event({ facts }));
    for (const leak of ['SECRETKEY', 'RECEIPTKEY', 'VALUE', 'PASS', 'MEMO', 'msg_0a1b2c3d4e5f', '1765148400000-0']) expect(body).not.toContain(leak);
  });

  it('the schema refuses extra fields and recipient fields on other events', () => {
    const good = JSON.parse(webhookBody(event()));
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, data: { ...good.data, secret_key: 'x' } })).toBe(false);
    expect(validate({ ...good, data: { ...good.data, display_name: 'x' } })).toBe(false);
    expect(validate({ ...good, type: 'incoming.received' })).toBe(false);
    expect(validate({ ...good, type: 'secret.viewed' })).toBe(false);
  });
});
