// The request line's logger skips pino's redaction pass (src/perf/unredacted-child-logger.ts): its lines carry the
// fields given and the server's bindings, while every other line of the server logger is still redacted.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app.js';
import { unredactedChild } from '../../src/perf/unredacted-child-logger.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ logLevel: 'info' }, sink), lines };
}

describe('unredacted child logger', () => {
  it('writes its fields as given, with the parent level and bindings; the parent still redacts', () => {
    const { logger, lines } = capturingLogger();
    const child = unredactedChild(logger);
    child.info({ reqId: 'req-1', route: '/api/v1/secret/:key' }, 'request');
    child.debug('below the level');
    logger.info({ headers: { authorization: 'Basic c2VjcmV0LXRva2Vu', host: 'x' } }, 'headers');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ reqId: 'req-1', route: '/api/v1/secret/:key', msg: 'request', pid: process.pid });
    expect(JSON.stringify(lines[1])).not.toContain('c2VjcmV0LXRva2Vu');
    expect(lines[1]).toMatchObject({ headers: { host: 'x' } });
  });
});
