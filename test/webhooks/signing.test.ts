// Signatures as a receiver checks them: with the standardwebhooks package's own verify.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeaders, signingSecretProblem } from '../../src/webhooks/signing.js';

const BODY = '{"type":"secret.revealed","timestamp":"2026-12-07T23:00:00.000Z","data":{}}';

describe('webhook signing (Standard Webhooks)', () => {
  it('signs so that the reference package verifies the body, id and timestamp', () => {
    const secret = newSigningSecret();
    const headers = signatureHeaders(secret, 'msg_2f1c', BODY, new Date());
    expect(headers['webhook-id']).toBe('msg_2f1c');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('fails verification for another body, another id, another secret or an old attempt', () => {
    const secret = newSigningSecret();
    const headers = { ...signatureHeaders(secret, 'msg_1', BODY, new Date()) };
    expect(() => new Webhook(secret).verify(BODY.replace('revealed', 'burned'), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(BODY, { ...headers, 'webhook-id': 'msg_2' })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(newSigningSecret()).verify(BODY, headers)).toThrow(WebhookVerificationError);
    const old = { ...signatureHeaders(secret, 'msg_1', BODY, new Date(Date.now() - 3600_000)) };
    expect(() => new Webhook(secret).verify(BODY, old)).toThrow(/too old/);
  });

  it('stamps the time of the attempt in whole seconds', () => {
    const headers = signatureHeaders(newSigningSecret(), 'msg_1', BODY, new Date(1_765_148_400_999));
    expect(headers['webhook-timestamp']).toBe('1765148400');
  });

  it('makes fresh secrets of whsec_ and 32 random bytes in base64', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(a);
    expect(signingSecretProblem(a)).toBeUndefined();
  });

  it('accepts 24 to 64 bytes in canonical base64 after whsec_, and never repeats a refused secret', () => {
    const of = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
    expect(signingSecretProblem(of(24))).toBeUndefined();
    expect(signingSecretProblem(of(64))).toBeUndefined();
    for (const bad of [of(23), of(65), Buffer.alloc(32, 7).toString('base64'), 'whsec_not base64!', `${of(32)}x`, 'whsec_']) {
      const problem = signingSecretProblem(bad);
      expect(problem, bad).toMatch(/^must be whsec_ followed by 24 to 64 random bytes in base64/);
      if (bad.length > 6) expect(problem).not.toContain(bad.slice(6));
    }
  });
});
