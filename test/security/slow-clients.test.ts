// Issue 22, item 1: slow heads and stalled bodies get a 408 in the version's shape on time, one address cannot hold
// more than MAX_CONNECTIONS_PER_CLIENT connections, and close() does not wait for clients that send nothing.
// Over real sockets on 127.0.0.1, with timeouts of a second or two; every test is bounded well under a minute.
import { once } from 'node:events';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';

const apps: TestApp[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(apps.splice(0).map((t) => t.close()));
});

async function listening(env: Record<string, string>) {
  const t = await makeApp('memory', env);
  apps.push(t);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, port: (t.app.server.address() as AddressInfo).port };
}

/** A raw connection that records what it receives and when it was closed. */
async function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const state = { received: '', closed: false };
  socket.setEncoding('utf8').on('data', (chunk: string) => (state.received += chunk));
  socket.on('close', () => (state.closed = true)).on('error', () => {});
  await once(socket, 'connect');
  return { socket, state };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(resolve, ms, 'timed out').unref())]);

/** Waits (bounded) until the server has closed the connection; returns the status and body it wrote. */
async function closedAnswer(c: Awaited<ReturnType<typeof open>>, withinMs: number) {
  const started = Date.now();
  if (!c.state.closed) await within(once(c.socket, 'close'), withinMs);
  expect(c.state.closed).toBe(true);
  const [head = '', body = ''] = c.state.received.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), body, ms: Date.now() - started };
}


describe('timeouts', () => {
  const env = { HEADERS_TIMEOUT: '1', REQUEST_TIMEOUT: '2' };

  // A head that never completes names no version: the answer takes the API root's (v1's) shape.
  it('a head that trickles (slowloris) gets a 408 after HEADERS_TIMEOUT', async () => {
    const { port } = await listening(env);
    const c = await open(port);
    c.socket.write('GET /api/v2/status HTTP/1.1\r\nHost: x\r\n');
    const tick = setInterval(() => c.socket.write('X-Slow: 1\r\n'), 200);
    try {
      const answer = await closedAnswer(c, 6_000);
      expect(answer.head).toContain('x-ots-intended-status: 408');
      expect(JSON.parse(answer.body)).toEqual({ message: 'Request Timeout' });
      expect(answer.ms).toBeLessThan(4_000);
    } finally {
      clearInterval(tick);
    }
  });

  it.each([
    ['/api/v2/secret/conceal', 408, { error: 'Request Timeout', error_type: 'RequestTimeout' }],
    ['/api/v1/share', 404, { message: 'Request Timeout' }],
  ])('a body that never comes on %s gets %d in its shape after REQUEST_TIMEOUT', async (path, status, body) => {
    const { port } = await listening(env);
    const c = await open(port);
    c.socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sec`);
    const answer = await closedAnswer(c, 8_000);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toEqual(body);
    if (status === 404) expect(answer.head).toContain('x-ots-intended-status: 408');
  });

  it('a head over Node’s limit gets a 431 in v2 shape', async () => {
    const { port } = await listening(env);
    const c = await open(port);
    c.socket.write(`GET /api/v2/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const answer = await closedAnswer(c, 5_000);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toMatchObject({ error_type: 'RequestHeaderFieldsTooLarge' });
  });
});

it('one address holds at most MAX_CONNECTIONS_PER_CLIENT connections; others still get answers', async () => {
  const { port } = await listening({ MAX_CONNECTIONS_PER_CLIENT: '5' });
  const held = await Promise.all(Array.from({ length: 8 }, () => open(port)));
  await new Promise((r) => setTimeout(r, 200)); // the refused ones are closed as they are accepted
  expect(held.filter((c) => c.state.closed)).toHaveLength(3);
  held.forEach((c) => c.socket.destroy());
  await new Promise((r) => setTimeout(r, 100));
  expect((await fetch(`http://127.0.0.1:${port}/api/v2/status`)).status).toBe(200);
});

it('close() does not wait for idle keep-alives, slow heads or stalled bodies (REQUEST_TIMEOUT 30 s)', async () => {
  const { t, port } = await listening({ REQUEST_TIMEOUT: '30' });
  const idle = await open(port);
  idle.socket.write('GET /api/v2/status HTTP/1.1\r\nHost: x\r\n\r\n');
  const slowHead = await open(port);
  slowHead.socket.write('GET /api/v2/status HTTP/1.1\r\nHost: x\r\n');
  const stalled = await open(port);
  stalled.socket.write('POST /api/v2/secret/conceal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  expect(await within(t.app.close(), 10_000)).not.toBe('timed out');
  expect(Date.now() - started).toBeLessThan(4_000);
  for (const c of [idle, slowHead, stalled]) await closedAnswer(c, 2_000); // the client sees each close a moment later
});
