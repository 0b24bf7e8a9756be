// Small helpers for the API wire tests: send a request the way clients do, and check the contract's shapes.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ReceiptView } from '../../src/api/v1/receipt-view.js';
import { basic, type TestApp } from '../support/app.js';

export type Response = LightMyRequestResponse;
export interface Credentials {
  email: string;
  token: string;
}

/** A 31-character lowercase base36 key, as every key the server hands out. */
export const KEY = expect.stringMatching(/^[0-9a-z]{31}$/);
export const JSON_TYPE = 'application/json; charset=utf-8';

function auth(as?: Credentials): Record<string, string> {
  return as ? { authorization: basic(as) } : {};
}

type Form = Record<string, string>;

/** POST with a urlencoded body (the most common client shape). `as` adds Basic credentials. */
export function postForm(t: TestApp, url: string, form: Form = {}, as?: Credentials): Promise<Response> {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...auth(as) };
  return t.app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers });
}

/** POST with a JSON body. */
export function postJson(t: TestApp, url: string, body: unknown, as?: Credentials): Promise<Response> {
  const headers = { 'content-type': 'application/json', ...auth(as) };
  return t.app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers });
}

/** POST a body exactly as given, with the given Content-Type (for malformed input). */
export function postRaw(t: TestApp, contentType: string, payload: string | Buffer, url = '/api/v1/share') {
  return t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
}

/** POST with no body and no Content-Type: everything in the query string, as curl -X POST 'url?secret=…' does. */
export function postQuery(t: TestApp, url: string, query: Form = {}, as?: Credentials): Promise<Response> {
  const qs = new URLSearchParams(query).toString();
  return t.app.inject({ method: 'POST', url: qs ? `${url}?${qs}` : url, headers: auth(as) });
}

export function get(t: TestApp, url: string, as?: Credentials): Promise<Response> {
  return t.app.inject({ method: 'GET', url, headers: auth(as) });
}

/** A multipart/form-data body with text fields only, built by hand so the test shows exactly what is sent. */
export function multipart(fields: [string, string][]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----otsTestBoundary7MA4YWxkTrZu0gW';
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** POST a multipart/form-data body of text fields. */
export function postMultipart(t: TestApp, url: string, fields: [string, string][], as?: Credentials) {
  const body = multipart(fields);
  return t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...auth(as) } });
}

/** A successful contract response: 200, JSON with charset; returns the parsed body. */
export function ok<T = Record<string, unknown>>(res: Response): T {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe(JSON_TYPE);
  return res.json() as T;
}

/** A contract error in compat mode: HTTP 404, the exact JSON body, and the status a modern API would use. */
export function expectError(res: Response, message: string, intended: number, extra: Form = {}): void {
  expect(res.statusCode, res.body).toBe(404);
  expect(res.headers['content-type']).toBe(JSON_TYPE);
  expect(res.headers['x-ots-intended-status']).toBe(String(intended));
  expect(res.json()).toEqual({ message, ...extra });
}

/** Shares a secret (urlencoded) and returns the receipt. */
export async function share(t: TestApp, form: Form, as?: Credentials): Promise<Receipt> {
  return ok<Receipt>(await postForm(t, '/api/v1/share', form, as));
}

/** Reveals a secret and returns the response (not asserted, so callers can check refusals too). */
export function reveal(t: TestApp, secretKey: string, form: Form = {}): Promise<Response> {
  return postForm(t, `/api/v1/secret/${secretKey}`, form);
}

/** Burns through /private/:key/burn and returns the response. */
export function burn(t: TestApp, metadataKey: string, form: Form = {}, as?: Credentials): Promise<Response> {
  return postForm(t, `/api/v1/private/${metadataKey}/burn`, form, as);
}

/** The state a burn response reports (its `state` field is a whole receipt object). */
export function burnedState(res: Response): string {
  return ok<{ state: Receipt }>(res).state.state;
}

/** The receipt object of §3.1 as the server types it; `value` comes only from /generate. */
export type Receipt = ReceiptView & { value?: string };

/** Every TTL and timestamp present in a receipt is a JSON integer (typed clients fail on strings and floats). */
export function expectIntegerTimes(receipt: Receipt): void {
  for (const field of ['ttl', 'metadata_ttl', 'secret_ttl', 'created', 'updated', 'received'] as const) {
    const value = receipt[field];
    if (value === undefined || (field === 'secret_ttl' && value === null)) continue;
    expect(Number.isInteger(value), `${field} = ${JSON.stringify(value)}`).toBe(true);
  }
}

/** Matches an integer in [lo, hi]: remaining TTLs read from Redis may have ticked down by a second. */
export function intBetween(lo: number, hi: number) {
  return {
    asymmetricMatch: (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi,
    toString: () => `IntBetween ${lo} and ${hi}`,
    toAsymmetricMatcher: () => `IntBetween ${lo} and ${hi}`,
  };
}
