// Issue 22, item 7: credentials never reach the log, even at `trace`, where @fastify/multipart logs every header.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp('memory', { LOG_LEVEL: 'trace' });
});
afterAll(() => t.close());

it('multipart at LOG_LEVEL=trace: no Authorization, Proxy-Authorization, X-Api-Key or Cookie value is logged', async () => {
  const canaries = {
    authorization: 'Basic Y2FuYXJ5LWF1dGg6Y2FuYXJ5LXRva2Vu',
    'proxy-authorization': 'Basic canary-proxy-credential',
    'x-api-key': 'canary-api-key',
    cookie: 'sess=canary-cookie',
  };
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/share',
    headers: { ...canaries, 'content-type': 'multipart/form-data; boundary=X' },
    payload: '--X\r\nContent-Disposition: form-data; name="secret"\r\n\r\nvalue\r\n--X--\r\n',
  });
  expect(res.statusCode).toBe(404); // the credentials are wrong; the body was still parsed and logged at trace
  const log = t.logs.join('');
  expect(log).toContain('busboy'); // the multipart plugin did log its options, headers included
  for (const value of Object.values(canaries)) expect(log).not.toContain(value.split(' ').pop()!);
});
