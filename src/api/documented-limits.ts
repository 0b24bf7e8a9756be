// The configurable limits as the OpenAPI document words them: each setting's name and default, since the
// document is the same whatever one server is configured with.
import { settings } from '../config.js';

const named = (s: { env: string; default: string | undefined }) => `\`${s.env}\` (default ${s.default})`;

/** How a requested TTL becomes the stored one. */
export const TTL_LIMITS = `Silently clamped into the server's configured limits: at least ${named(settings.ttlMin)}, at most ${named(settings.ttlMaxAnonymous)} for anonymous callers and ${named(settings.ttlMax)} for accounts`;

/** Seconds a secret lives when the request gives none. */
export const TTL_DEFAULT = named(settings.ttlDefault);

/** The largest secret. */
export const SECRET_SIZE_LIMIT = `At most ${named(settings.maxSecretBytes)} UTF-8 bytes`;
