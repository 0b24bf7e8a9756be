// The real app on a real socket (127.0.0.1, a port the kernel picks) on either store, and the requests the v2 and
// v3 wire tests send with fetch: JSON, raw bodies of any Content-Type, Rack-nested forms, Basic credentials by
// email, by customer id or as a raw Authorization header. Shared by v2.contract, v3.contract and cross-version.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { ALICE, makeApp, type StoreKind, type TestApp } from '../support/app.js';
import { intBetween, JSON_TYPE } from './wire.js';

export { intBetween, JSON_TYPE };
export const V1 = '/api/v1';
export const V2 = '/api/v2';
export const V3 = '/api/v3';
export const PUBLIC_URL = 'https://secrets.example.com'; // OTS_PUBLIC_URL in test/support/app.ts
/** Well-formed but never issued. */
export const UNKNOWN_KEY = 'a'.repeat(31);

export interface SocketApp extends TestApp {
  /** e.g. http://127.0.0.1:43817 */
  origin: string;
}

type Deps = Parameters<typeof makeApp>[2];

/** makeApp(kind, env, deps), listening on 127.0.0.1:0. */
export async function listenApp(kind: StoreKind, env: Record<string, string> = {}, deps: Deps = {}): Promise<SocketApp> {
  const t = await makeApp(kind, env, deps);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return { ...t, origin: `http://127.0.0.1:${port}` };
}

/**
 * The app of a describe block: started (listenApp) before its tests and closed after them. The returned object
 * stands for the running app; `deps` may be a function, to build a store when the block starts.
 */
export function serve(kind: StoreKind, env: Record<string, string> = {}, deps: Deps | (() => Promise<Deps>) = {}): SocketApp {
  let running: SocketApp | undefined;
  beforeAll(async () => {
    running = await listenApp(kind, env, typeof deps === 'function' ? await deps() : deps);
  });
  afterAll(() => running?.close());
  return new Proxy({} as SocketApp, {
    get: (_target, prop) => {
      if (!running) throw new Error('the app is used outside its tests');
      return Reflect.get(running, prop);
    },
  });
}

/**
 * Who is calling: an account by email (`{email, token}`, e.g. ALICE), any Basic username (`{user, token}`: a
 * customer id `ur…`, an organization id `on…`, an email in other letter case), or an Authorization header as is.
 */
export type As = { email: string; token: string } | { user: string; token: string } | { header: string };

export function authorization(as: As): string {
  if ('header' in as) return as.header;
  const user = 'email' in as ? as.email : as.user;
  return `Basic ${Buffer.from(`${user}:${as.token}`).toString('base64')}`;
}

/** Basic credentials naming the account by its customer id (`ur…`) or its organization id (`on…`). */
export async function byAccountId(s: TestApp, id: 'customerId' | 'organizationId' = 'customerId', account = ALICE): Promise<As> {
  const record = await s.app.ots.accounts.get(account.email);
  expect(record?.[id]).toMatch(id === 'customerId' ? /^ur[0-9a-z]+$/ : /^on[0-9a-z]+$/);
  return { user: record![id], token: account.token };
}

// Bodies are read field by field against the contract; a typed view of every shape would only restate it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON when the Content-Type says json, else the text. */
  body: Body;
  text: string;
}

export interface RequestOptions {
  /** Sent exactly as given. */
  body?: string | Buffer;
  /** Content-Type; none is sent when absent. */
  contentType?: string;
  as?: As;
  headers?: Record<string, string>;
}

/** One request over the socket; never throws on an HTTP status. */
export async function send(s: SocketApp, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
  if (opts.as) headers.authorization = authorization(opts.as);
  // As bytes: fetch would add `text/plain;charset=UTF-8` to a string body sent without a Content-Type.
  const bytes = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const res = await fetch(`${s.origin}${path}`, { method, headers, body: bytes });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  let body: Body = text;
  if (isJson && text !== '') body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body, text };
}

export function get(s: SocketApp, path: string, as?: As): Promise<Reply> {
  return send(s, 'GET', path, { as });
}

/** POST a JSON body (`application/json`). */
export function post(s: SocketApp, path: string, body: unknown = {}, as?: As): Promise<Reply> {
  return send(s, 'POST', path, { body: JSON.stringify(body), contentType: 'application/json', as });
}

/** PATCH a JSON body. */
export function patch(s: SocketApp, path: string, body: unknown, as?: As): Promise<Reply> {
  return send(s, 'PATCH', path, { body: JSON.stringify(body), contentType: 'application/json', as });
}

/** POST a body exactly as given; `contentType` undefined sends none. */
export function postRaw(s: SocketApp, path: string, body: string | Buffer, contentType?: string, as?: As): Promise<Reply> {
  return send(s, 'POST', path, { body, contentType, as });
}

type Nested = { [key: string]: string | number | boolean | string[] | Nested };

/** Rack's nesting: {secret: {secret: 'x', ttl: 3600}} → `secret[secret]=x&secret[ttl]=3600`; arrays as `k[]=`. */
export function rackEncode(params: Nested, prefix = ''): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    const name = prefix ? `${prefix}[${k}]` : k;
    if (Array.isArray(v)) for (const item of v) parts.push(`${encodeURIComponent(`${name}[]`)}=${encodeURIComponent(item)}`);
    else if (typeof v === 'object') parts.push(rackEncode(v, name));
    else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`);
  }
  return parts.filter((p) => p !== '').join('&');
}

/** POST an urlencoded body with Rack nesting. */
export function postForm(s: SocketApp, path: string, params: Nested, as?: As): Promise<Reply> {
  return postRaw(s, path, rackEncode(params), 'application/x-www-form-urlencoded', as);
}

/** A v1 form POST (flat fields), as the v1 clients send it. */
export function postV1(s: SocketApp, path: string, form: Record<string, string> = {}, as?: As): Promise<Reply> {
  return postForm(s, `${V1}${path}`, form, as);
}

/** A success: HTTP 200, `application/json; charset=utf-8`; returns the body. */
export function ok(reply: Reply): Body {
  expect(reply.status, reply.text).toBe(200);
  expect(reply.headers.get('content-type')).toBe(JSON_TYPE);
  return reply.body;
}

/** An error of the v2/v3 shape: the real status, JSON, exactly `body`. */
export function expectError(reply: Reply, status: number, body: Record<string, unknown>): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toBe(JSON_TYPE);
  expect(reply.body).toEqual(body);
}

export const UNKNOWN_SECRET = { error: 'Unknown secret', error_type: 'RecordNotFound' };
export const UNKNOWN_RECEIPT = { error: 'Unknown receipt', error_type: 'RecordNotFound' };
export const NOT_AUTHORIZED = { error: 'Not authorized', error_type: 'Unauthorized' };
export const NOT_FOUND = { error: 'Not Found', error_type: 'NotFound' };
export const INCORRECT_PASSPHRASE = { error: 'Incorrect passphrase', error_type: 'FormError' };
export const DOUBLE_CHECK_PASSPHRASE = { error: 'Double check that passphrase', error_type: 'FormError' };
export const STORE_DOWN = { error: "We'll be back shortly!", error_type: 'ServiceUnavailable' };

/** Keys of a stored secret, from a v1, v2 or v3 creation. */
export interface Made {
  secretKey: string;
  receiptKey: string;
  body: Body;
}

/**
 * Conceals through `${api}/secret/conceal` (api: V2, `${V2}/guest`, `${V3}/guest`) with `{"secret": fields}`;
 * asserts 200 and returns the keys.
 */
export async function conceal(s: SocketApp, api: string, fields: Record<string, unknown>, as?: As): Promise<Made> {
  const body = ok(await post(s, `${api}/secret/conceal`, { secret: fields }, as));
  return { secretKey: body.record.secret.identifier, receiptKey: body.record.receipt.identifier, body };
}

/** Generates through `${api}/secret/generate`; asserts 200; the value is in record.secret.secret_value. */
export async function generate(s: SocketApp, api: string, fields: Record<string, unknown> = {}, as?: As): Promise<Made> {
  const body = ok(await post(s, `${api}/secret/generate`, { secret: fields }, as));
  return { secretKey: body.record.secret.identifier, receiptKey: body.record.receipt.identifier, body };
}

/** Shares through v1 /share (flat form); asserts 200. */
export async function shareV1(s: SocketApp, form: Record<string, string>, as?: As): Promise<Made> {
  const body = ok(await postV1(s, '/share', form, as));
  return { secretKey: body.secret_key, receiptKey: body.metadata_key, body };
}

/** Reveals through `${api}/secret/:id/reveal` with `{"continue": true, ...extra}` (not asserted). */
export function revealV2(s: SocketApp, api: string, secretKey: string, extra: Record<string, unknown> = {}): Promise<Reply> {
  return post(s, `${api}/secret/${secretKey}/reveal`, { continue: true, ...extra });
}

/** Fields holding keys or values, which may happen to be all digits. */
const FREE_TEXT = /(identifier|key|shortid|_path|_url|secret_value|memo)$/;

/** Every number anywhere in `value` is an integer and no string looks like a number or a boolean (§3.7). */
export function expectNativeTypes(value: unknown, path = '$'): void {
  if (typeof value === 'number') expect(Number.isInteger(value), `${path} = ${value}`).toBe(true);
  else if (typeof value === 'string' && !FREE_TEXT.test(path)) {
    expect(/^(-?\d+(\.\d+)?|true|false)$/.test(value), `${path} = "${value}"`).toBe(false);
  }
  else if (Array.isArray(value)) value.forEach((v, i) => expectNativeTypes(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) expectNativeTypes(v, `${path}.${k}`);
}

/** Polls `probe` until it returns true, failing after `boundMs` (real time passing on Redis, never a fixed sleep). */
export async function until(probe: () => Promise<boolean>, boundMs: number, what: string): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a receipt is made of, for the expected records below. */
export interface ReceiptFacts {
  receiptKey: string;
  secretKey: string;
  ttl: number;
  created: number;
  /** Account email for account receipts (v2 `custid`), null for anonymous. */
  custid?: string | null;
  kind?: 'conceal' | 'generate';
  hasPassphrase?: boolean;
}

/** The v2 receipt record (§3.3) of a fresh, unread secret; `over` replaces fields. */
export function receiptRecord(f: ReceiptFacts, over: Record<string, unknown> = {}): Record<string, unknown> {
  const custid = f.custid ?? null;
  return {
    identifier: f.receiptKey,
    key: f.receiptKey,
    shortid: f.receiptKey.slice(0, 8),
    custid,
    owner_id: custid === null ? null : expect.stringMatching(/^ur[0-9a-z]+$/),
    state: 'new',
    secret_identifier: f.secretKey,
    secret_shortid: f.secretKey.slice(0, 8),
    secret_ttl: f.ttl,
    receipt_ttl: f.ttl,
    metadata_ttl: f.ttl,
    lifespan: f.ttl,
    share_domain: null,
    created: f.created,
    updated: f.created,
    shared: null,
    previewed: null,
    viewed: null,
    revealed: null,
    received: null,
    burned: null,
    recipients: '',
    recipient_name: null,
    memo: null,
    show_recipients: false,
    is_previewed: false,
    is_viewed: false,
    is_revealed: false,
    is_received: false,
    is_burned: false,
    is_expired: false,
    is_orphaned: false,
    is_destroyed: false,
    has_passphrase: f.hasPassphrase ?? false,
    kind: f.kind ?? 'conceal',
    source: 'standard',
    ...over,
  };
}

/** The v3 receipt record (§3.8): the v2 one without `custid`, `recipients` an array or null. */
export function receiptRecordV3(f: ReceiptFacts, over: Record<string, unknown> = {}): Record<string, unknown> {
  const { custid: _custid, ...rest } = receiptRecord(f, { recipients: null, ...over });
  return rest;
}

/** The v2/v3 secret record (§3.2) of an unread secret. */
export function secretRecord(f: Pick<ReceiptFacts, 'secretKey' | 'ttl' | 'created' | 'hasPassphrase'>, over: Record<string, unknown> = {}) {
  return {
    identifier: f.secretKey,
    key: f.secretKey,
    shortid: f.secretKey.slice(0, 8),
    state: 'new',
    lifespan: f.ttl,
    secret_ttl: f.ttl,
    has_passphrase: f.hasPassphrase ?? false,
    verification: false,
    created: f.created,
    updated: f.created,
    is_previewed: false,
    is_viewed: false,
    is_revealed: false,
    is_received: false,
    ...over,
  };
}

/** The URL fields §3.4 adds to a single receipt (the secret still there). */
export function receiptLinks(receiptKey: string, secretKey: string, origin = PUBLIC_URL) {
  return {
    share_path: `secret/${secretKey}`,
    receipt_path: `receipt/${receiptKey}`,
    metadata_path: `receipt/${receiptKey}`,
    burn_path: `receipt/${receiptKey}/burn`,
    share_url: `${origin}/secret/${secretKey}`,
    receipt_url: `${origin}/receipt/${receiptKey}`,
    metadata_url: `${origin}/receipt/${receiptKey}`,
    burn_url: `${origin}/receipt/${receiptKey}/burn`,
  };
}

/** The facts of a secret just made, at `created` (the service clock's second). */
export function factsOf(m: Made, ttl: number, created: number, extra: Partial<ReceiptFacts> = {}): ReceiptFacts {
  return { receiptKey: m.receiptKey, secretKey: m.secretKey, ttl, created, ...extra };
}

/** GET /receipt/:id (v2) or /guest/receipt/:id (v3) of an unread secret without passphrase, ttl 3600 (§3.4). */
export function freshReceiptView(f: ReceiptFacts, version: 'v2' | 'v3' = 'v2') {
  const record = version === 'v2' ? receiptRecord : receiptRecordV3;
  return {
    success: true,
    record: record(f, {
      secret_state: 'new',
      natural_expiration: '60 minutes',
      expiration: f.created + f.ttl,
      expiration_in_seconds: f.ttl,
      ...receiptLinks(f.receiptKey, f.secretKey),
    }),
    details: {
      type: 'record',
      display_lines: 4,
      no_cache: true,
      secret_realttl: intBetween(f.ttl - 10, f.ttl),
      view_count: 0,
      first_access: null,
      last_access: null,
      has_passphrase: false,
      can_decrypt: true,
      secret_value: null,
      show_secret: true,
      show_secret_link: true,
      show_receipt_link: true,
      show_receipt: true,
      show_recipients: false,
    },
  };
}

/** GET /secret/:id of an unread secret without passphrase, by a caller who does not own it. */
export function shownSecret(f: ReceiptFacts) {
  return {
    success: true,
    record: secretRecord(f),
    details: { continue: false, is_owner: false, show_secret: false, display_lines: 4, one_liner: null },
  };
}

/** A reveal that won, by a caller who does not own the secret. */
export function revealedSecret(f: ReceiptFacts, value: string) {
  return {
    success: true,
    record: secretRecord(f, { state: 'revealed', is_revealed: true, is_received: true, secret_value: value, updated: expect.any(Number) }),
    details: {
      continue: true,
      is_owner: false,
      show_secret: true,
      display_lines: expect.any(Number),
      one_liner: !value.includes('\n'),
    },
  };
}

/** GET /secret/:id/status of an unread secret. */
export function secretStatus(f: ReceiptFacts) {
  return { success: true, record: secretRecord(f), details: { current_expiration: intBetween(f.ttl - 10, f.ttl) } };
}

/** The kinds of caller a route table lists: nobody in particular, an account by Basic, Basic with a wrong token. */
export const TABLE_CALLERS = {
  anonymous: undefined,
  account: ALICE,
  'wrong credentials': { email: ALICE.email, token: 'not-the-token' },
} satisfies Record<string, As | undefined>;
export type TableCaller = keyof typeof TABLE_CALLERS;

/** One row of a route table: `METHOD path`, the caller, the status, the body (exact for an error), what is sent. */
export type TableRow = [route: string, caller: TableCaller, status: number, body: object, sent?: unknown];

/**
 * Sends a route table's row and checks its answer: a 200 matches `body`'s fields, anything else is exactly `body`.
 * In the path and the JSON body, `:secret` and `:receipt` stand for a secret made anonymously for this row,
 * `:own-receipt` for the receipt of one the account made.
 */
export async function checkTableRow(s: SocketApp, [route, caller, status, body, sent]: TableRow): Promise<void> {
  const [method, template] = route.split(' ') as [string, string];
  const text = `${template} ${sent === undefined ? '' : JSON.stringify(sent)}`;
  const made = text.includes(':secret') || text.includes(':receipt') ? await conceal(s, `${V2}/guest`, { secret: 'table' }) : undefined;
  const own = text.includes(':own-receipt') ? await conceal(s, V2, { secret: 'table' }, ALICE) : undefined;
  const fill = (t: string) =>
    t.replaceAll(':own-receipt', own?.receiptKey ?? '').replaceAll(':secret', made?.secretKey ?? '').replaceAll(':receipt', made?.receiptKey ?? '');
  const reply = await send(s, method, fill(template), {
    as: TABLE_CALLERS[caller],
    ...(sent === undefined ? {} : { body: fill(JSON.stringify(sent)), contentType: 'application/json' }),
  });
  if (status === 200) expect(ok(reply)).toMatchObject(body);
  else expectError(reply, status, body as Record<string, unknown>);
}
