// A Standard Webhooks signing secret: `whsec_` and the base64 of 32 random bytes (the HMAC-SHA256 key).
import { randomBytes } from 'node:crypto';

export const SIGNING_SECRET_PREFIX = 'whsec_';

export function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}
