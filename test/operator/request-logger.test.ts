// The per-request logger is made only when a request logs through it (src/plugins/lazy-child-logger.ts): what an
// operator reads must not change. Lines still carry the request's id and the server's bindings, levels still
// filter, credentials are still redacted.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/app.js';
import { lazyChildLoggerFactory } from '../../src/plugins/lazy-child-logger.js';
import { reveal } from '../api/wire.js';
import { makeApp, type TestApp } from '../support/app.js';

function capturingLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ logLevel: level as 'info' }, sink), lines };
}

describe('per-request logger', () => {
  it('is made on the first line, not before, and binds what a child logger binds', () => {
    const { logger, lines } = capturingLogger();
    const child = vi.spyOn(logger, 'child');
    const log = lazyChildLoggerFactory.call(undefined as never, logger, { reqId: 'req-7' }, {}, undefined as never);
    expect(child).not.toHaveBeenCalled();
    expect(log.level).toBe('info');

    log.debug('below the level');
    log.warn({ rateClass: 'reveal' }, 'rate limit exceeded');
    log.info('again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.reqId, l.level, l.msg])).toEqual([
      ['req-7', 40, 'rate limit exceeded'],
      ['req-7', 30, 'again'],
    ]);
    expect(lines[0]).toMatchObject({ rateClass: 'reveal', pid: process.pid });
  });

  it('keeps the redaction of the server logger', () => {
    const { logger, lines } = capturingLogger('trace');
    const log = lazyChildLoggerFactory.call(undefined as never, logger, { reqId: 'req-8' }, {}, undefined as never);
    log.trace({ headers: { authorization: 'Basic c2VjcmV0LXRva2Vu', host: 'x' } }, 'headers');
    expect(JSON.stringify(lines)).not.toContain('c2VjcmV0LXRva2Vu');
    expect(lines[0]).toMatchObject({ reqId: 'req-8', headers: { host: 'x' } });
  });

  it('honours a level set for the request', () => {
    const { logger, lines } = capturingLogger();
    const log = lazyChildLoggerFactory.call(undefined as never, logger, { reqId: 'req-9' }, { level: 'error' }, undefined as never);
    expect(log.level).toBe('error');
    log.warn('filtered');
    log.error('kept');
    expect(lines.map((l) => l.msg)).toEqual(['kept']);
  });

  describe('in the server', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp('memory', { RATE_LIMIT_REVEAL: '1' });
    });
    afterAll(() => t.close());

    it("puts a request's own lines under the same reqId as its request line", async () => {
      await reveal(t, 'a'.repeat(31));
      await reveal(t, 'b'.repeat(31)); // over the budget of 1: logs a warning through the request's logger
      const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const warning = lines.find((l) => l.msg === 'rate limit exceeded');
      expect(warning).toBeDefined();
      const requestLine = lines.find((l) => l.msg === 'request' && l.reqId === warning!.reqId);
      expect(requestLine).toMatchObject({ route: '/api/v1/secret/:key', method: 'POST' });
      expect(lines.filter((l) => l.msg === 'request').map((l) => l.reqId)).toHaveLength(2);
    });
  });
});
