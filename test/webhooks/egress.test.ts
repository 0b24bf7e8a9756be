// One post against a real receiver on loopback: headers, 2xx only, no redirect followed, the answer cut at 4 KB,
// a bounded time, and error texts that never carry the URL, payload or secret.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_READ_LIMIT, postWebhook } from '../../src/webhooks/egress.js';
import { answerStatus, startReceiver, waitFor, type Receiver } from './receiver.js';

const BODY = '{"type":"secret.created"}';
const SIGNED = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1765148400', 'webhook-signature': 'v1,abc=' };

describe('webhook egress', () => {
  let receiver: Receiver;
  let elsewhere: Receiver;
  const hanging = new Set<ServerResponse>();
  beforeAll(async () => {
    receiver = await startReceiver();
    elsewhere = await startReceiver();
  });
  afterEach(() => {
    for (const res of hanging) res.destroy();
    hanging.clear();
    receiver.posts.length = 0;
    receiver.answer = answerStatus(204);
  });
  afterAll(async () => {
    await receiver?.close();
    await elsewhere?.close();
  });

  it('posts the body as JSON with the signature headers and our user agent; a 2xx is success', async () => {
    expect(await postWebhook(`${receiver.url}/hook?token=t`, BODY, SIGNED, 2000)).toEqual({ ok: true, status: 204 });
    const [post] = receiver.posts;
    expect(post).toMatchObject({ path: '/hook?token=t', body: BODY });
    expect(post!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'ots-server-webhooks', ...SIGNED });
  });

  it('counts every non-2xx answer as a failure and any 2xx as success, with its status', async () => {
    for (const status of [500, 503, 404, 401, 200, 299]) {
      receiver.answer = answerStatus(status);
      const result = await postWebhook(receiver.url, BODY, SIGNED, 2000);
      expect(result.ok, String(status)).toBe(status >= 200 && status < 300);
      expect(result.status).toBe(status);
    }
  });

  it('follows no redirect: a 3xx is a failure and the other address gets nothing', async () => {
    for (const status of [301, 302, 307, 308]) {
      receiver.answer = (_req, res) => {
        res.writeHead(status, { location: `${elsewhere.url}/stolen` }).end();
      };
      expect(await postWebhook(receiver.url, BODY, SIGNED, 2000)).toEqual({ ok: false, status });
    }
    expect(elsewhere.posts).toEqual([]);
  });

  it('reads at most 4 KB of an endless answer, then drops the connection', async () => {
    let written = 0;
    let closed = false;
    receiver.answer = (_req, res) => {
      hanging.add(res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.on('close', () => (closed = true));
      const chunk = Buffer.alloc(1024, 'x');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    const started = Date.now();
    expect(await postWebhook(receiver.url, BODY, SIGNED, 10_000)).toEqual({ ok: true, status: 200 });
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor('the receiver to see its answer dropped', () => closed);
    expect(written).toBeGreaterThan(ANSWER_READ_LIMIT);
  });

  it('gives up after the timeout on a receiver that never answers', async () => {
    receiver.answer = (_req, res) => hanging.add(res);
    const started = Date.now();
    expect(await postWebhook(receiver.url, BODY, SIGNED, 300)).toEqual({ ok: false, error: 'timeout after 300 ms' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
  });

  it('says a refused connection by its code, never with the URL, the payload or the headers', async () => {
    const gone = await startReceiver();
    const url = `${gone.url}/hook?token=receiver-token`;
    await gone.close();
    const result = await postWebhook(url, BODY, SIGNED, 2000);
    expect(result).toEqual({ ok: false, error: 'ECONNREFUSED' });
    const bad = await postWebhook('http://[not-an-address/?token=receiver-token', BODY, SIGNED, 2000);
    expect(bad.ok).toBe(false);
    for (const text of [result.error, bad.error]) {
      for (const leak of ['receiver-token', 'secret.created', 'v1,abc=']) expect(text).not.toContain(leak);
    }
  });
});
