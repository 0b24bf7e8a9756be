// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over `id.timestamp.body`, made by the
// specification's own reference package so a receiver's verification cannot disagree with ours.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SIGNING_SECRET_PREFIX = 'whsec_';
/** Random bytes in a signing secret: fewer is guessable, more than the HMAC block brings nothing. */
const MIN_BYTES = 24;
const MAX_BYTES = 64;
const NEW_SECRET_BYTES = 32;

/** What is wrong with a signing secret, in words that never repeat it; undefined when it is fine. */
export function signingSecretProblem(secret: string): string | undefined {
  const rule = `must be ${SIGNING_SECRET_PREFIX} followed by ${MIN_BYTES} to ${MAX_BYTES} random bytes in base64`;
  if (!secret.startsWith(SIGNING_SECRET_PREFIX)) return rule;
  const encoded = secret.slice(SIGNING_SECRET_PREFIX.length);
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from skips what is not base64; the reference package would refuse it, so refuse it here first.
  if (key.toString('base64') !== encoded) return rule;
  if (key.length < MIN_BYTES || key.length > MAX_BYTES) return `${rule}, got ${key.length} bytes`;
  return undefined;
}

/** A fresh signing secret: `whsec_` and 32 random bytes in base64 (the admin command prints it once). */
export function newSigningSecret(): string {
  return SIGNING_SECRET_PREFIX + randomBytes(NEW_SECRET_BYTES).toString('base64');
}

/** The three Standard Webhooks headers of one attempt; `sentAt` is the time of this attempt, not of the event. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Signs `body` (the exact bytes that are posted) for one attempt. */
export function signatureHeaders(secret: string, messageId: string, body: string, sentAt: Date): SignatureHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(messageId, sentAt, body),
  };
}
