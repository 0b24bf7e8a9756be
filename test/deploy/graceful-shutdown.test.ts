// SIGTERM to `node dist/server.js`: it stops accepting connections, finishes the request in flight, closes Redis
// and exits 0 within SHUTDOWN_TIMEOUT; a request that never finishes makes it give up and exit 1 on time. A log
// pipe whose reader has gone changes none of that. Clients that send nothing (idle, a slow head, a body that stopped
// coming) do not hold it up.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_MASTER_KEY, uniquePrefix } from '../support/app.js';
import { RedisServer } from '../support/redis-server.js';
import { ensureBuilt } from '../e2e/built.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/**
 * A slow client: sends a share request's headers with `Expect: 100-continue` and waits for the server's
 * `100 Continue`, which proves the request is being handled; the body follows only when `finish()` is called.
 */
async function startSlowUpload(origin: string, secret: string) {
  const body = new URLSearchParams({ secret, ttl: '3600' }).toString();
  const socket: Socket = connect(Number(new URL(origin).port), '127.0.0.1');
  // The server that gives up exits under a live upload: its end resets the connection, which is expected here.
  socket.on('error', () => {});
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  await once(socket, 'connect');
  socket.write(
    'POST /api/v1/share HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
  );
  await vi.waitFor(() => expect(received).toContain('100 Continue'), { timeout: 5_000, interval: 10 });
  return {
    socket,
    /** Sends the body a byte every 100 ms from now on (a live upload that will not end in time); stops on close. */
    trickle: () => {
      let sent = 0;
      const tick = setInterval(() => (sent < body.length - 1 && !socket.destroyed ? socket.write(body[sent++]!) : clearInterval(tick)), 100);
      socket.once('close', () => clearInterval(tick));
    },
    /** Sends the body; resolves with the final response once the server has closed the connection. */
    finish: async () => {
      const ended = once(socket, 'end');
      socket.write(body);
      await ended;
      const response = received.slice(received.lastIndexOf('HTTP/1.1 '));
      const split = response.indexOf('\r\n\r\n');
      const head = response.slice(0, split).toLowerCase();
      return { status: Number(head.split(' ')[1]), head, body: response.slice(split + 4) };
    },
  };
}

/** Resolves with the error code of a new TCP connection to origin (ECONNREFUSED once the listener is closed). */
function tryConnect(origin: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(origin).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('graceful shutdown of node dist/server.js', () => {
  let redis: RedisServer;
  const servers: ServerProcess[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    REDIS_URL: redis.url,
    REDIS_PREFIX: uniquePrefix(),
    OTS_SECRET: TEST_MASTER_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    ...extra,
  });
  const start = async (e: Record<string, string>) => {
    const server = await startServerProcess(e);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start();
  });
  afterEach(() => servers.splice(0).forEach((s) => s.kill()));
  afterAll(() => redis?.destroy());

  it('on SIGTERM refuses new connections, finishes the upload in flight, closes Redis and exits 0', async () => {
    const serverEnv = env({ SHUTDOWN_TIMEOUT: '10' });
    const server = await start(serverEnv);
    const upload = await startSlowUpload(server.origin, 'sent during shutdown');

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await server.waitForLog('shutting down');
    await vi.waitFor(async () => expect(await tryConnect(server.origin)).toBe('ECONNREFUSED'), { timeout: 3_000 });
    expect(server.child.exitCode).toBeNull(); // still finishing the upload

    const response = await upload.finish();
    expect(response.status).toBe(200);
    expect(response.head).toContain('connection: close');
    const receipt = JSON.parse(response.body) as { secret_key: string; state: string };
    expect(receipt.state).toBe('new');

    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    await server.waitForLog('shutdown complete: requests finished, store closed');

    // The acknowledged secret was written before Redis was closed: another instance reveals it.
    const next = await start({ ...serverEnv });
    const reveal = await fetch(`${next.origin}/api/v1/secret/${receipt.secret_key}`, { method: 'POST' });
    expect(await reveal.json()).toMatchObject({ value: 'sent during shutdown' });
  });

  it('does not wait for idle keep-alive connections: exits 0 at once', async () => {
    const server = await start(env());
    // fetch keeps its connection open for reuse after this response.
    expect((await fetch(`${server.origin}/health`)).status).toBe(200);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(2_000);
  });

  it('gives up after SHUTDOWN_TIMEOUT when a request never finishes: exit 1, on time', async () => {
    const server = await start(env({ SHUTDOWN_TIMEOUT: '1' }));
    const upload = await startSlowUpload(server.origin, 'never finished, though its bytes keep coming');
    upload.trickle(); // a body that stops coming is closed at shutdown (below); one still arriving is waited for
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_000);
    await server.waitForLog('requests still in flight after SHUTDOWN_TIMEOUT');
    upload.socket.destroy();
  });

  it('does not wait for clients that send nothing (issue 22): a stalled body, a slow head and idle keep-alives → exit 0 quickly', async () => {
    const server = await start(env({ SHUTDOWN_TIMEOUT: '10', REQUEST_TIMEOUT: '60' }));
    const upload = await startSlowUpload(server.origin, 'a body that never comes');
    const slowHead = connect(Number(new URL(server.origin).port), '127.0.0.1');
    await once(slowHead, 'connect');
    slowHead.write('GET /api/v2/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect((await fetch(`${server.origin}/health`)).status).toBe(200);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000); // the stalled body gets 2 s of silence, not SHUTDOWN_TIMEOUT
    upload.socket.destroy();
    slowHead.destroy();
  });

  describe('after the reader of its stdout has gone (a supervisor whose log pipe died)', () => {
    /** Closes this end of the server's stdout: its next write to the pipe fails with EPIPE. */
    const loseLogPipe = (server: ServerProcess) => server.child.stdout.destroy();
    /** The exit code, or 'still running' when the process has not exited within ms (it is killed afterwards). */
    const exitWithin = (server: ServerProcess, ms: number) =>
      Promise.race([server.exited, new Promise<string>((resolve) => setTimeout(resolve, ms, 'still running'))]);

    it('SIGTERM still ends it: exit 0', async () => {
      const server = await start(env());
      loseLogPipe(server);
      server.child.kill('SIGTERM');
      expect(await exitWithin(server, 5_000)).toBe(0);
    });

    it('requests are still answered (their log lines are dropped), then SIGTERM ends it', async () => {
      const server = await start(env());
      loseLogPipe(server);
      // Enough request lines to fill several blocks of stdout, each written to the dead pipe.
      for (let i = 0; i < 100; i++) expect((await fetch(`${server.origin}/api/v1/status`)).status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await exitWithin(server, 5_000)).toBe(0);
    });

    it('SHUTDOWN_TIMEOUT still ends it when a request never finishes: exit 1', async () => {
      const server = await start(env({ SHUTDOWN_TIMEOUT: '1' }));
      const upload = await startSlowUpload(server.origin, 'never finished, though its bytes keep coming');
      upload.trickle();
      loseLogPipe(server);
      server.child.kill('SIGTERM');
      expect(await exitWithin(server, 5_000)).toBe(1);
      upload.socket.destroy();
    });
  });
});
