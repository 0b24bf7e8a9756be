import type { FastifyBaseLogger } from 'fastify';

/**
 * A child of `log` without pino's redaction pass, for lines whose fields can never hold a credential: the pass
 * runs over every line a redacting logger writes, whatever its fields.
 */
export function unredactedChild(log: FastifyBaseLogger): FastifyBaseLogger {
  return log.child({}, { redact: [] });
}
