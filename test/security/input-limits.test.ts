// Attacks with oversized or malformed input: every refusal is the contract's JSON error, decided before a large
// body is held in memory, and nothing is stored.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';

const MAX = 1000; // MAX_SECRET_BYTES for these tests

function multipart(fields: [string, string][], file?: { name: string; content: string }) {
  const boundary = `----ots${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  if (file) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n${file.content}\r\n`,
    );
  }
  return { payload: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

function expectRefused(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, intended: string, message: string) {
  expect(res.statusCode).toBe(404);
  expect(res.headers['x-ots-intended-status']).toBe(intended);
  expect(res.json()).toEqual({ message });
}

describe('input limits', () => {
  let t: TestApp;
  let port: number;
  const tooLarge = `Secret value exceeds the maximum size of ${MAX} bytes`;
  beforeAll(async () => {
    t = await makeApp('memory', { MAX_SECRET_BYTES: String(MAX) });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const post = (payload: string, contentType: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/share', payload, headers: { 'content-type': contentType } });

  it('a secret one byte over the size limit is refused, in every body type', async () => {
    const secret = 'x'.repeat(MAX + 1);
    expectRefused(await post(JSON.stringify({ secret }), 'application/json'), '413', tooLarge);
    expectRefused(await post(`secret=${secret}`, 'application/x-www-form-urlencoded'), '413', tooLarge);
    const form = multipart([['secret', secret]]);
    expectRefused(await post(form.payload, form.contentType), '413', tooLarge);
    // Exactly at the limit is fine.
    const ok = await post(JSON.stringify({ secret: 'x'.repeat(MAX) }), 'application/json');
    expect(ok.statusCode).toBe(200);
  });

  it('a body over the body limit is refused unread, for JSON, urlencoded and multipart alike', async () => {
    const huge = 'y'.repeat(MAX * 50);
    expectRefused(await post(JSON.stringify({ secret: huge }), 'application/json'), '413', tooLarge);
    expectRefused(await post(`secret=${huge}`, 'application/x-www-form-urlencoded'), '413', tooLarge);
    const form = multipart([['secret', huge]]);
    expectRefused(await post(form.payload, form.contentType), '413', tooLarge);
  });

  it('a multipart field far over the field size is cut, never buffered whole, and still refused as too large', async () => {
    const form = multipart([['secret', 'z'.repeat(MAX * 2)]]); // under the body limit, over the field size
    expectRefused(await post(form.payload, form.contentType), '413', tooLarge);
  });

  it('multipart with a file part is refused (fields only)', async () => {
    const form = multipart([['ttl', '600']], { name: 'secret', content: 'a file' });
    expectRefused(await post(form.payload, form.contentType), '400', 'Bad request');
  });

  it('multipart with too many fields is refused', async () => {
    const form = multipart(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'v'] as [string, string]));
    expectRefused(await post(form.payload, form.contentType), '400', 'Bad request');
  });

  it('multipart with an over-long field name is refused or ignored, never a crash', async () => {
    const form = multipart([[`${'n'.repeat(5000)}`, 'v'], ['secret', 'short']]);
    const res = await post(form.payload, form.contentType);
    expect(res.statusCode === 200 || res.headers['x-ots-intended-status'] === '400').toBe(true);
  });

  it('a passphrase far over 128 characters is refused in every body type', async () => {
    const passphrase = 'p'.repeat(5000);
    const msg = 'Passphrase must be no more than 128 characters long';
    expectRefused(await post(JSON.stringify({ secret: 's', passphrase }), 'application/json'), '400', msg);
    const form = multipart([['secret', 's'], ['passphrase', passphrase]]);
    expectRefused(await post(form.payload, form.contentType), '400', msg);
  });

  it('an unknown content type is refused in the contract shape', async () => {
    expectRefused(await post('<x/>', 'application/xml'), '415', 'Unsupported Media Type');
  });

  it('a chunked body without Content-Length that grows past the limit is cut off over a real socket', async () => {
    const answer = await new Promise<{ status: number; body: string; intended: unknown }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/share', headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body, intended: res.headers['x-ots-intended-status'] });
          });
        },
      );
      req.on('error', reject);
      req.write('{"secret":"');
      let sent = 0;
      const pump = () => {
        // Keep sending until the server answers; it must not wait for the whole body.
        while (sent < 20 * 1024 * 1024 && req.write('q'.repeat(64 * 1024))) sent += 64 * 1024;
        if (sent < 20 * 1024 * 1024) req.once('drain', pump);
        else req.end('"}');
      };
      pump();
    });
    expect(answer.intended).toBe('413');
    expect(JSON.parse(answer.body)).toEqual({ message: tooLarge });
  });

  it('a body announcing 50 MB is answered after its first bytes, for JSON and multipart alike', async () => {
    for (const contentType of ['application/json', 'multipart/form-data; boundary=xyz']) {
      const answer = await new Promise<{ intended: unknown; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/share',
            headers: { 'content-type': contentType, 'content-length': String(50 * 1024 * 1024) },
          },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => {
              req.destroy(); // the unsent rest would otherwise hold the connection open
              resolve({ intended: res.headers['x-ots-intended-status'], body });
            });
          },
        );
        req.on('error', reject);
        req.write('{"secret":"' + 'w'.repeat(1024)); // the rest never comes: only an early answer ends this
      });
      expect(answer.intended).toBe('413');
      expect(JSON.parse(answer.body)).toEqual({ message: tooLarge });
    }
  });

  it('nothing refused above was stored', async () => {
    const recent = await t.app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(recent.statusCode).toBe(200);
    expect(t.logs.join('')).not.toMatch(/yyyyyyyy|zzzzzzzz|pppppppp/);
  });
});
