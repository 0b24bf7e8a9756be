// A request's own log lines (through req.log) and its request line (src/plugins/request-log.ts) carry the same
// request id, so an operator can read them together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reveal } from '../api/wire.js';
import { makeApp, type TestApp } from '../support/app.js';

describe('per-request logger in the server', () => {
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
