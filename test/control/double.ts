// The test double as another project's suite starts it (startServer({ control: true }) on a real socket), and plain
// HTTP against it: the control verbs under /__ots/ and the three API versions.
import { afterAll, beforeAll } from 'vitest';
import { startServer, type StartServerOptions, type TestDoubleServer } from '../../src/index.js';
import type { Body, Reply as ApiReply } from '../api/socket.js';

export const ALICE = { email: 'alice@example.com', token: 'alice-double-token-0123456789abcdefgh' };

/** A double started before the block's tests and stopped after them; the returned object stands for it. */
export function serveDouble(options: StartServerOptions = {}): TestDoubleServer {
  let running: TestDoubleServer | undefined;
  beforeAll(async () => {
    running = await startServer({ accounts: [ALICE], ...options, control: true });
  });
  afterAll(() => running?.close());
  return new Proxy({} as TestDoubleServer, {
    get: (_t, prop) => {
      if (!running) throw new Error('the double is used outside its tests');
      return Reflect.get(running, prop);
    },
  });
}

export type { Body };

/** test/api's reply, timed (the latency fault is measured). */
export interface Reply extends ApiReply {
  ms: number;
}

export interface Send {
  json?: unknown;
  form?: Record<string, string>;
  as?: { email: string; token: string };
}

export async function http(url: string, method: string, path: string, opts: Send = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: string | URLSearchParams | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = new URLSearchParams(opts.form);
  }
  if (opts.as) headers.authorization = `Basic ${Buffer.from(`${opts.as.email}:${opts.as.token}`).toString('base64')}`;
  const started = performance.now();
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  const ms = performance.now() - started;
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text, text, ms };
}

/** A control verb over HTTP; throws unless it answered 200. */
export async function control(url: string, verb: string, json?: unknown): Promise<Body> {
  const reply = await http(url, 'POST', `/__ots/${verb}`, json === undefined ? {} : { json });
  if (reply.status !== 200) throw new Error(`/__ots/${verb} answered ${reply.status}: ${reply.text}`);
  return reply.body;
}

/** Reads a receipt the way each version does: v1 POST /private/:key, v2 GET /receipt/:key, v3 its guest route. */
export async function receiptState(url: string, version: 'v1' | 'v2' | 'v3', metadataKey: string, as?: Send['as']): Promise<string> {
  const path = {
    v1: `/api/v1/private/${metadataKey}`,
    v2: `/api/v2/receipt/${metadataKey}`,
    v3: `/api/v3/guest/receipt/${metadataKey}`,
  }[version];
  const reply = await http(url, version === 'v1' ? 'POST' : 'GET', path, { as: version === 'v3' ? undefined : as });
  if (reply.status !== 200) throw new Error(`${version} receipt answered ${reply.status}: ${reply.text}`);
  return version === 'v1' ? reply.body.state : reply.body.record.state;
}

/** Reveals through each version: v1 POST /secret/:key, v2 POST /secret/:key/reveal (`continue`), v3 its guest route. */
export function reveal(url: string, version: 'v1' | 'v2' | 'v3', secretKey: string, passphrase?: string): Promise<Reply> {
  if (version === 'v1') return http(url, 'POST', `/api/v1/secret/${secretKey}`, { form: passphrase ? { passphrase } : {} });
  const prefix = version === 'v2' ? '/api/v2' : '/api/v3/guest';
  return http(url, 'POST', `${prefix}/secret/${secretKey}/reveal`, { json: { continue: true, ...(passphrase && { passphrase }) } });
}
