// Drivers that put on the wire exactly what three real OTS v2 clients send, field for field and header for header,
// as their sources show. This is our own code: none of the clients' code is here, only the requests they make and
// what they read back. Each request shape names the upstream file it comes from (read with the search tool).
//
// 1. The official Ruby client, gem `onetimesecret` 0.7.0 (repository onetimesecret/onetimesecret-ruby, `lib/onetime`):
//    - lib/onetime/resources/secrets.rb, lib/onetime/resources/receipts.rb (commit 44bd191): paths and bodies;
//    - lib/onetime/client.rb (commit 5f4962f): the /api/<version> prefix, meta routes, the ownership check after
//      every credentialed 2xx outside /guest/ (warn once, or raise with on_unowned: :raise);
//    - lib/onetime/transport.rb (commit 5f4962f): headers, Basic auth (customer extid in the username slot), JSON or
//      form bodies, GET/HEAD retries on 429/500/502/503/504 with 0.5 s, 1 s backoff, JSON parsed only when the
//      Content-Type contains "json";
//    - lib/onetime/ownership.rb (commit c7c3789): which records are looked at and what counts as "unowned";
//    - lib/onetime/errors.rb (commit c7c3789; 1735d05 without AccountRequiredError): error classes by error_type,
//      then by HTTP status; message from `error`, else `message`;
//    - lib/onetime/version.rb (commit 8ef1251): VERSION = "0.7.0"; README (0.7.0): `customer:` must be a customer
//      extid ("ur…"), checked at construction; lib/onetime/configuration.rb at 1735d05 (`username:`, an email, the
//      1.0.0.pre.1 line) and bcd676f (`organization:`, an "on…" extid, the unreleased 1.0.0 line).
//    Net::HTTP itself (Ruby's stdlib net/http, not the gem) adds Accept-Encoding, Host and, for a request on a
//    connection it opened itself, `Connection: close`.
// 2. GLPI plugin (ticgal/one-timesecret `src/Secret.php`, commit f280f37) through Symfony HttpClient
//    (symfony/http-client `HttpClientTrait.php`: `json` → JSON_HEX_TAG|APOS|AMP|QUOT|PRESERVE_ZERO_FRACTION encoding
//    and `Content-Type: application/json`, default `Accept: */*`, `auth_basic` → `Authorization: Basic`).
// 3. The Python Tk client (JoKerIsCraZy/OneTimeSecret-Client `OneTimeSecret_Client.py`, commit 03ffaa7; burn body
//    `{"continue":"true"}` from commit 0e97dad) through `requests` (json= → json.dumps with ", " / ": " separators and
//    ASCII escapes, `Content-Type: application/json`).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync, inflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------------------
// Plain HTTP with full control of the headers (node:http, never a proxy; callers only give 127.0.0.1 origins).

export interface SentRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | undefined;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends one request to `connectTo` (an http://127.0.0.1:port origin) with exactly these headers, in this order. */
export function send(connectTo: string, req: SentRequest): Promise<RawResponse> {
  const target = new URL(connectTo);
  const path = new URL(req.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to send outside 127.0.0.1: ${connectTo}`);
  const headers = [...req.headers];
  if (req.body !== undefined) headers.push(['Content-Length', String(Buffer.byteLength(req.body))]);
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${path.pathname}${path.search}`,
        headers: headers.flat(),
        setHost: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          let raw = Buffer.concat(chunks);
          // Net::HTTP and requests decode gzip/deflate bodies transparently.
          const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
          if (encoding === 'gzip') raw = gunzipSync(raw);
          else if (encoding === 'deflate') raw = inflateSync(raw);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8') });
        });
      },
    );
    r.setTimeout(20_000, () => r.destroy(new Error(`timeout: ${req.method} ${req.url}`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

// ---------------------------------------------------------------------------------------------------------------
// 1. The Ruby gem.

export const GEM_VERSION = '0.7.0'; // lib/onetime/version.rb @ 8ef1251
export const RUBY_VERSION = '3.3.6'; // RUBY_VERSION of the process running the gem; any 3.1+ will do

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
type JsonObject = { [k: string]: JsonValue };

/** errors.rb: Onetime::Error and its tree. */
export class OnetimeError extends Error {
  override name = 'Onetime::Error';
}
const onetimeErrorClass = (rubyName: string) =>
  class extends OnetimeError {
    override name = `Onetime::${rubyName}`;
  };
export const ConfigurationError = onetimeErrorClass('ConfigurationError');
export const UnsupportedOperationError = onetimeErrorClass('UnsupportedOperationError');
export const TransportError = onetimeErrorClass('TransportError');
export class UnownedResponseError extends OnetimeError {
  override name = 'Onetime::UnownedResponseError';
  constructor(
    message: string,
    readonly response: RubyResponse,
  ) {
    super(message);
  }
}
export interface ApiErrorFields {
  httpStatus: number;
  errorType: JsonValue | undefined;
  code: JsonValue | undefined;
  field: JsonValue | undefined;
  errorKey: JsonValue | undefined;
  retryAfter: JsonValue | undefined;
  entitlement: JsonValue | undefined;
  body: unknown;
}
export class APIError extends OnetimeError {
  override name = 'Onetime::APIError';
  constructor(
    message: string,
    readonly fields: ApiErrorFields,
  ) {
    super(message);
  }
  get httpStatus() {
    return this.fields.httpStatus;
  }
  get errorType() {
    return this.fields.errorType;
  }
}
type ApiErrorClass = new (message: string, fields: ApiErrorFields) => APIError;

/** One class of errors.rb's APIError tree, named as the gem names it. */
function apiErrorClass(base: typeof APIError, rubyName: string) {
  return class extends base {
    override name = `Onetime::${rubyName}`;
  };
}
export const BadRequestError = apiErrorClass(APIError, 'BadRequestError'); // 400 / FormError
export const AuthenticationError = apiErrorClass(APIError, 'AuthenticationError'); // 401
export const AccountRequiredError = apiErrorClass(AuthenticationError, 'AccountRequiredError'); // requires_account
export const ForbiddenError = apiErrorClass(APIError, 'ForbiddenError'); // 403 / Forbidden, GuestRoutesDisabled
export const EntitlementError = apiErrorClass(ForbiddenError, 'EntitlementError'); // EntitlementRequired
export const NotFoundError = apiErrorClass(APIError, 'NotFoundError'); // 404 / RecordNotFound
export const ConflictError = apiErrorClass(APIError, 'ConflictError'); // 409
export const RateLimitError = apiErrorClass(APIError, 'RateLimitError'); // 429 / LimitExceeded
export const ServerError = apiErrorClass(APIError, 'ServerError'); // 5xx / ServerError

// errors.rb @ c7c3789: ERROR_TYPE_MAP, then STATUS_MAP, then >= 500 → ServerError, else APIError.
const ERROR_TYPE_MAP: Record<string, ApiErrorClass> = {
  FormError: BadRequestError,
  RequiresAccount: AccountRequiredError,
  AccountRequired: AccountRequiredError,
  RecordNotFound: NotFoundError,
  NotFound: NotFoundError,
  Forbidden: ForbiddenError,
  GuestRoutesDisabled: ForbiddenError,
  EntitlementRequired: EntitlementError,
  LimitExceeded: RateLimitError,
  ServerError: ServerError,
};
const STATUS_MAP: Record<number, ApiErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  422: BadRequestError,
  429: RateLimitError,
};
const ACCOUNT_REQUIRED_KEYS = ['error_type', 'field', 'error_key', 'code'];
const ACCOUNT_REQUIRED_PATTERN = /(?:^|[^a-z0-9])(requires[_-]?account|account[_-]?required)(?:$|[^a-z0-9])/i;

/** Ruby's `value.to_s` for a parsed JSON value (nil → ""). */
function rubyToS(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function defaultMessage(status: number): string {
  if (status === 400) return 'Bad request';
  if (status === 401) return 'Authentication failed';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Rate limit exceeded';
  if (status >= 500 && status <= 599) return `Server error (${status})`;
  return `Request failed (${status})`;
}

/** errors.rb `Errors.from_response`. */
export function errorFromResponse(response: RubyResponse): APIError {
  const body: JsonObject = isObject(response.data) ? response.data : {};
  const status = response.httpStatus;
  const account = ACCOUNT_REQUIRED_KEYS.some((k) => ACCOUNT_REQUIRED_PATTERN.test(rubyToS(body[k])));
  const errorType = body.error_type;
  const klass: ApiErrorClass = account
    ? AccountRequiredError
    : ((typeof errorType === 'string' ? ERROR_TYPE_MAP[errorType] : undefined) ??
      STATUS_MAP[status] ??
      (status >= 500 ? ServerError : APIError));
  // Ruby's `a || b`: only nil and false fall through.
  const pick = (v: JsonValue | undefined) => (v === undefined || v === null || v === false ? undefined : v);
  const message =
    pick(body.error) ??
    pick(body.message) ??
    (account ? 'This operation requires an authenticated account: send your organization extid and API token (see Onetime::Client.new).' : defaultMessage(status));
  return new klass(rubyToS(message), {
    httpStatus: status,
    errorType,
    code: body.code,
    field: body.field,
    errorKey: body.error_key,
    retryAfter: body.retry_after,
    entitlement: body.entitlement,
    body: response.data,
  });
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// ownership.rb @ c7c3789.
const RECORD_PATHS = [[], ['record'], ['record', 'receipt'], ['record', 'secret'], ['record', 'metadata'], ['details']];
const OWNER_KEYS = ['custid', 'customer_id', 'owner', 'owner_id', 'organization', 'organization_extid', 'org_extid'];
const ANONYMOUS_OWNERS = ['', 'anon', 'anonymous', 'guest', 'null', 'nil', 'none'];
const ANONYMOUS_FLAG_KEYS = ['is_anonymous', 'anonymous', 'is_guest'];

function truthy(v: JsonValue | undefined): boolean {
  if (v === true) return true;
  if (v === undefined || v === null || v === false) return false;
  return ['true', '1', 'yes'].includes(rubyToS(v).trim().toLowerCase());
}

/** One record's verdict: true = anonymous, false = owned, undefined = cannot tell. */
export function recordUnowned(record: JsonObject): boolean | undefined {
  for (const k of ANONYMOUS_FLAG_KEYS) if (k in record) return truthy(record[k]);
  for (const k of OWNER_KEYS) if (k in record) return ANONYMOUS_OWNERS.includes(rubyToS(record[k]).trim().toLowerCase());
  return undefined;
}

/** `Ownership.unowned?`: any anonymous record wins; else false if some record names an owner; else undefined. */
export function unowned(data: unknown): boolean | undefined {
  if (!isObject(data)) return undefined;
  const verdicts = RECORD_PATHS.map((path) => path.reduce<unknown>((m, k) => (isObject(m) ? m[k] : undefined), data))
    .filter(isObject)
    .map(recordUnowned)
    .filter((v): v is boolean => v !== undefined);
  if (verdicts.includes(true)) return true;
  return verdicts.includes(false) ? false : undefined;
}

/** lib/onetime/response.rb: status, headers, raw body and the parsed data. */
export class RubyResponse {
  constructor(
    readonly httpStatus: number,
    readonly headers: IncomingHttpHeaders,
    readonly rawBody: string,
    readonly data: unknown,
  ) {}
  get success(): boolean {
    return this.httpStatus >= 200 && this.httpStatus <= 299;
  }
  /** `res.dig("record", "secret", "identifier")`. */
  dig(...keys: (string | number)[]): JsonValue | undefined {
    let m: unknown = this.data;
    for (const k of keys) {
      if (Array.isArray(m) && typeof k === 'number') m = m[k];
      else if (isObject(m) && typeof k === 'string') m = m[k];
      else return undefined;
    }
    return m as JsonValue | undefined;
  }
  key(k: string): boolean {
    return isObject(this.data) && k in this.data;
  }
}

// client.rb @ 5f4962f: UNOWNED_WARNING (shortened; the text is the gem's business).
export const UNOWNED_WARNING =
  'The server recorded this secret as anonymous even though this client sent credentials, so it has no owner and will not appear in your account.';

export interface RubyClientOptions {
  /** The server origin, e.g. http://127.0.0.1:41234 (base_url / ONETIME_BASE_URL). */
  baseUrl: string;
  apiVersion?: 'v1' | 'v2';
  /** 0.7.0: the customer extid "ur…" (ONETIME_CUSTOMER_EXTID); must look like one, or construction fails. */
  customer?: string;
  /** The unreleased 1.0.0 line (configuration.rb @ bcd676f / c7c3789): the organization extid "on…". */
  organization?: string;
  /** 1.0.0.pre.1 (configuration.rb @ 1735d05): `username:`, the account email. */
  username?: string;
  apiToken?: string;
  onUnowned?: 'warn' | 'raise' | 'ignore';
  maxRetries?: number;
}

/** What `Onetime::Client` does over the wire, and what it makes of the answers. */
export class RubyClient {
  readonly apiVersion: 'v1' | 'v2';
  private readonly user: string;
  private readonly token: string;
  private readonly onUnowned: 'warn' | 'raise' | 'ignore';
  private readonly maxRetries: number;
  private unownedWarned = false;
  /** What the client logged with `warn` (the unowned warning, at most once). */
  readonly warnings: string[] = [];
  /** Every request put on the wire, retries included, with its status. */
  readonly sent: (SentRequest & { status: number })[] = [];

  constructor(private readonly options: RubyClientOptions) {
    this.apiVersion = options.apiVersion ?? 'v2';
    if (options.customer !== undefined && !/^ur[a-z0-9]+$/i.test(options.customer)) {
      // README (0.7.0): `customer "acct-123" is not a customer extid: extids begin with "ur"`, raised at construction.
      throw new ConfigurationError(`customer ${JSON.stringify(options.customer)} is not a customer extid: extids begin with "ur"`);
    }
    if (options.organization !== undefined && !/^on[a-z0-9]+$/.test(options.organization)) {
      throw new ConfigurationError(`organization ${JSON.stringify(options.organization)} is not an organization extid`);
    }
    this.user = options.customer ?? options.organization ?? options.username ?? '';
    this.token = options.apiToken ?? '';
    // configuration.rb validate!: partial credentials fail loudly.
    if ((this.user === '') !== (this.token === '')) throw new ConfigurationError('Incomplete credentials');
    this.onUnowned = options.onUnowned ?? 'warn';
    this.maxRetries = options.maxRetries ?? 2;
  }

  get anonymous(): boolean {
    return this.user === '' && this.token === '';
  }

  // --- client.rb: meta -------------------------------------------------------------------------------------------
  status() {
    return this.request('GET', '/status');
  }
  version() {
    this.requireVersion('v2', 'version');
    return this.request('GET', '/version');
  }
  supportedLocales() {
    this.requireVersion('v2', 'supported_locales');
    return this.request('GET', '/supported-locales');
  }
  authcheck() {
    this.requireVersion('v1', 'authcheck');
    return this.request('GET', '/authcheck');
  }

  // --- resources/secrets.rb ---------------------------------------------------------------------------------------
  readonly secrets = {
    conceal: (a: { secret: string; ttl?: number; passphrase?: string; recipient?: string | string[]; shareDomain?: string; guest?: boolean }) => {
      const attrs = { secret: a.secret, ttl: a.ttl, passphrase: a.passphrase, recipient: a.recipient, share_domain: a.shareDomain };
      if (this.apiVersion === 'v1') return this.request('POST', '/share', { form: compact(attrs) });
      return this.request('POST', a.guest ? '/guest/secret/conceal' : '/secret/conceal', { body: { secret: compact(attrs) } });
    },
    generate: (a: { ttl?: number; passphrase?: string; recipient?: string | string[]; shareDomain?: string; guest?: boolean } = {}) => {
      const attrs = { ttl: a.ttl, passphrase: a.passphrase, recipient: a.recipient, share_domain: a.shareDomain };
      if (this.apiVersion === 'v1') return this.request('POST', '/generate', { form: compact(attrs) });
      return this.request('POST', a.guest ? '/guest/secret/generate' : '/secret/generate', { body: { secret: compact(attrs) } });
    },
    reveal: (key: string, a: { passphrase?: string; continue?: boolean; guest?: boolean } = {}) => {
      const id = extractSecretKey(key);
      const params = compact({ passphrase: a.passphrase, continue: a.continue ?? true });
      if (this.apiVersion === 'v1') return this.request('POST', `/secret/${id}`, { form: params });
      return this.request('POST', a.guest ? `/guest/secret/${id}/reveal` : `/secret/${id}/reveal`, { body: params });
    },
    show: (key: string, a: { guest?: boolean } = {}) => {
      this.requireVersion('v2', 'secrets.show');
      const id = extractSecretKey(key);
      return this.request('GET', a.guest ? `/guest/secret/${id}` : `/secret/${id}`);
    },
    status: (key: string) => {
      this.requireVersion('v2', 'secrets.status');
      return this.request('GET', `/secret/${extractSecretKey(key)}/status`);
    },
    statusList: (keys: string[] | string) => {
      this.requireVersion('v2', 'secrets.status_list');
      return this.request('POST', '/secret/status', { body: { identifiers: Array.isArray(keys) ? keys.join(',') : keys } });
    },
  };

  // --- resources/receipts.rb --------------------------------------------------------------------------------------
  readonly receipts = {
    show: (key: string, a: { guest?: boolean } = {}) => {
      if (this.apiVersion === 'v1') return this.request('GET', `/receipt/${key}`);
      return this.request('GET', a.guest ? `/guest/receipt/${key}` : `/receipt/${key}`);
    },
    recent: () => this.request('GET', '/receipt/recent'),
    burn: (key: string, a: { passphrase?: string; continue?: boolean; guest?: boolean } = {}) => {
      const params = compact({ passphrase: a.passphrase, continue: a.continue ?? true });
      if (this.apiVersion === 'v1') return this.request('POST', `/receipt/${key}/burn`, { form: params });
      return this.request('POST', a.guest ? `/guest/receipt/${key}/burn` : `/receipt/${key}/burn`, { body: params });
    },
    update: (key: string, a: { memo: string }) => {
      this.requireVersion('v2', 'receipts.update');
      return this.request('PATCH', `/receipt/${key}`, { body: { memo: a.memo } });
    },
  };

  private requireVersion(expected: 'v1' | 'v2', operation: string) {
    if (this.apiVersion !== expected) {
      throw new UnsupportedOperationError(`${operation} is only available on API ${expected}; client is configured for ${this.apiVersion}`);
    }
  }

  /** client.rb `request`: transport, then the ownership check. */
  async request(method: 'GET' | 'POST' | 'PATCH', path: string, opts: { body?: object; form?: Record<string, unknown> } = {}) {
    const response = await this.transport(method, `/api/${this.apiVersion}${path}`, opts);
    this.checkOwnership(response, path);
    return response;
  }

  /** client.rb `check_ownership` (path is the one without the /api/vN prefix). */
  private checkOwnership(response: RubyResponse, path: string) {
    if (this.onUnowned === 'ignore') return;
    if (this.anonymous || path.includes('/guest/')) return;
    if (!response.success) return;
    if (unowned(response.data) !== true) return;
    if (this.onUnowned === 'raise') throw new UnownedResponseError(UNOWNED_WARNING, response);
    if (!this.unownedWarned) {
      this.unownedWarned = true;
      this.warnings.push(`[onetime] ${UNOWNED_WARNING}`);
    }
  }

  /** transport.rb `request`: one attempt, retried for GET/HEAD on 429/5xx and network errors (0.5 s, 1 s …). */
  private async transport(method: string, path: string, opts: { body?: object; form?: Record<string, unknown> }): Promise<RubyResponse> {
    // build_uri: URI.join(base_url + "/", path without its leading slash)
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (let attempt = 0; ; attempt++) {
      const req = this.buildRequest(method, url, opts);
      let raw: RawResponse;
      try {
        raw = await send(this.options.baseUrl, req);
      } catch (err) {
        if (this.retryAllowed(method, attempt)) {
          await delay(500 * 2 ** attempt);
          continue;
        }
        throw new TransportError(`Transport failure: ${(err as Error).message}`);
      }
      this.sent.push({ ...req, status: raw.status });
      const response = new RubyResponse(raw.status, raw.headers, raw.body, parseBody(raw));
      if (response.httpStatus >= 400) {
        if ([429, 500, 502, 503, 504].includes(response.httpStatus) && this.retryAllowed(method, attempt)) {
          await delay(500 * 2 ** attempt);
          continue;
        }
        throw errorFromResponse(response);
      }
      return response;
    }
  }

  private retryAllowed(method: string, attempt: number) {
    return (method === 'GET' || method === 'HEAD') && attempt < this.maxRetries;
  }

  /** transport.rb `build_request` (+ what Net::HTTP adds). */
  private buildRequest(method: string, url: URL, opts: { body?: object; form?: Record<string, unknown> }): SentRequest {
    const headers: [string, string][] = [
      // Net::HTTPGenericRequest defaults (a response body is expected)
      ['Accept-Encoding', 'gzip;q=1.0,deflate;q=0.6,identity;q=0.3'],
      // default_headers
      ['Accept', 'application/json'],
      ['User-Agent', `onetime-ruby/${GEM_VERSION} (Ruby/${RUBY_VERSION})`],
      ['X-Onetime-Client', `ruby:${RUBY_VERSION}/${GEM_VERSION}`],
      ['Host', url.host],
    ];
    // `request.basic_auth(@config.customer, @config.api_token)` unless anonymous: no header at all when anonymous.
    if (!this.anonymous) headers.push(['Authorization', basicAuth(this.user, this.token)]);
    let body: string | undefined;
    if (opts.form) {
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
      body = encodeForm(opts.form);
    } else if (opts.body) {
      headers.push(['Content-Type', 'application/json']);
      body = JSON.stringify(opts.body); // JSON.generate: compact, UTF-8, keys in insertion order
    }
    // Net::HTTP#request on a connection it started itself
    headers.push(['Connection', 'close']);
    return { method, url: url.href, headers, body };
  }
}

/** `attrs.reject { |_, v| v.nil? }`, keeping the keyword order of the Ruby call. */
function compact<T extends Record<string, unknown>>(attrs: T): Partial<T> {
  return Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** secrets.rb `extract_secret_key`: a full link gives its /secret/<key> part. */
function extractSecretKey(key: string): string {
  return /\/secret\/([a-zA-Z0-9]+)/.exec(key)?.[1] ?? key;
}

/** transport.rb `encode_form`: arrays as repeated key[]=, through URI.encode_www_form (space → "+"). */
function encodeForm(hash: Record<string, unknown>): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(hash)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) pairs.push([`${k}[]`, String(item)]);
    else pairs.push([k, String(v)]);
  }
  // URI.encode_www_form_component leaves *-._ and alphanumerics, turns " " into "+", percent-encodes the rest.
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** transport.rb `parse_body`: nil for an empty body, JSON only when the Content-Type says json, else the raw text. */
function parseBody(raw: RawResponse): unknown {
  if (raw.body === '') return null;
  if (!String(raw.headers['content-type'] ?? '').includes('json')) return raw.body;
  try {
    return JSON.parse(raw.body);
  } catch {
    return raw.body;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. GLPI: Secret::createSecret.

/**
 * PHP json_encode with Symfony's default flags (JSON_HEX_TAG | JSON_HEX_APOS | JSON_HEX_AMP | JSON_HEX_QUOT |
 * JSON_PRESERVE_ZERO_FRACTION): "/" as \/, non-ASCII as \uxxxx (UTF-16 units), < > ' & " as \u003C \u003E \u0027
 * \u0026 \u0022.
 */
export function phpJsonEncode(value: unknown): string {
  const HEX: Record<string, string> = { '<': '\\u003C', '>': '\\u003E', "'": '\\u0027', '&': '\\u0026', '"': '\\u0022', '/': '\\/' };
  const str = (s: string) =>
    `"${[...s]
      .map((ch) => {
        if (HEX[ch]) return HEX[ch];
        if (ch === '\\') return '\\\\';
        const code = ch.codePointAt(0)!;
        if (code < 0x20 || code > 0x7f) {
          const short: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
          if (short[ch]) return short[ch];
          // astral characters become a surrogate pair, as PHP writes them
          return Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
        }
        return ch;
      })
      .join('')}"`;
  return serializeJson(value, str, ',', ':');
}

/** A JSON writer with its own string escaping and separators (object keys in insertion order). */
function serializeJson(value: unknown, str: (s: string) => string, itemSep: string, keySep: string): string {
  const write = (v: unknown): string => {
    if (v === null) return 'null';
    if (typeof v === 'string') return str(v);
    if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(write).join(itemSep)}]`;
    return `{${Object.entries(v as object)
      .map(([k, x]) => `${str(k)}${keySep}${write(x)}`)
      .join(itemSep)}}`;
  };
  return write(value);
}

export interface GlpiConfig {
  /** The plugin's "server" field: host[:port]; requests go to https://<server>/api/v2/secret/conceal. */
  server: string;
  apiuser: string;
  apikey: string;
}

/**
 * `Secret::createSecret($secret, $lifetime, $passphrase)`: one POST, no redirects followed. Sent to `connectTo` (the
 * server behind the TLS proxy that https://<server> names); the Host header is the configured server.
 */
export async function glpiCreateSecret(connectTo: string, config: GlpiConfig, secret: string, lifetime: number, passphrase = '') {
  const body: { secret: Record<string, string | number> } = {
    secret: { kind: 'conceal', secret, ttl: Math.min(lifetime, 2_592_000) }, // hoursToSeconds caps at 30 days
  };
  if (config.server !== 'onetimesecret.com') body.secret.share_domain = config.server;
  if (passphrase !== '') body.secret.passphrase = passphrase;
  const url = `https://${config.server}/api/v2/secret/conceal`;
  const request: SentRequest = {
    method: 'POST',
    url,
    headers: [
      ['Host', config.server],
      ['Content-Type', 'application/json'],
      ['Accept', '*/*'],
      ['Authorization', basicAuth(config.apiuser, config.apikey)],
    ],
    body: phpJsonEncode(body),
  };
  const response = await send(connectTo, request);
  // toArray(): throws on 3xx (max_redirects 0), 4xx, 5xx and on a Content-Type that is not JSON.
  let data: unknown;
  let failure: string | undefined;
  if (response.status >= 300) failure = `HTTP ${response.status}`;
  else if (!/json/i.test(String(response.headers['content-type'] ?? ''))) failure = `not JSON: ${response.headers['content-type']}`;
  else data = JSON.parse(response.body);
  const identifier = isObject(data) && isObject(data.record) && isObject(data.record.secret) ? data.record.secret.identifier : undefined;
  const link = typeof identifier === 'string' && /^[a-z0-9]+$/i.test(identifier) ? `https://${config.server}/secret/${identifier}` : false;
  return { request, response, data, failure, link };
}

// ---------------------------------------------------------------------------------------------------------------
// 3. The Python client: OTSClient.

/** Python's json.dumps defaults: ", " and ": " separators, ensure_ascii (\uXXXX, surrogate pairs for astral). */
export function pythonJsonDumps(value: unknown): string {
  const str = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return serializeJson(value, str, ', ', ': ');
}

const firstStr = (...c: unknown[]) => c.find((x): x is string => typeof x === 'string' && x !== '') ?? '';
/** `_flag`: booleans, numbers and "true"/"1"/"yes" strings. */
const flag = (v: unknown) =>
  typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : typeof v === 'string' ? ['true', '1', 'yes'].includes(v.trim().toLowerCase()) : false;

export class PythonClientError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly errorType: string,
  ) {
    super(message);
  }
}

export class PythonOtsClient {
  readonly shareDomain: string;
  readonly sent: (SentRequest & { status: number })[] = [];

  /** `OTSClient(url, user, key)`: url is the conceal endpoint; share_domain defaults to its host name. */
  constructor(
    readonly url: string,
    readonly user: string,
    readonly key: string,
    /** Which version's burn body: 03ffaa7 sends `{}`, 0e97dad `{"continue":"true"}`. */
    readonly burnBody: Record<string, string> = {},
  ) {
    this.shareDomain = new URL(url).hostname || 'onetimesecret.com';
  }

  private get hasCredentials() {
    return Boolean(this.user && this.key);
  }

  private apiBase() {
    const u = new URL(this.url);
    return `${u.protocol}//${u.host}`;
  }

  /** `_request`: a requests.Session with Accept + User-Agent, Basic whenever both credentials are set, json= bodies. */
  private async request(method: string, url: string, jsonBody?: object, requireAuth = true): Promise<Record<string, unknown>> {
    if (requireAuth && !this.hasCredentials) throw new PythonClientError('API-Konfiguration fehlt.', undefined, 'MissingConfig');
    const u = new URL(url);
    const headers: [string, string][] = [
      ['Host', u.host],
      ['User-Agent', 'OneTimeSecret-Client (+https://github.com/JoKerIsCraZy/OneTimeSecret-Client)'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', 'application/json'],
      ['Connection', 'keep-alive'],
    ];
    if (this.hasCredentials) headers.push(['Authorization', basicAuth(this.user, this.key)]);
    let body: string | undefined;
    if (jsonBody !== undefined) {
      headers.push(['Content-Type', 'application/json']);
      body = pythonJsonDumps(jsonBody);
    }
    const req: SentRequest = { method, url, headers, body };
    const res = await send(this.apiBase(), req);
    this.sent.push({ ...req, status: res.status });
    if (res.status >= 400) {
      let payload: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(res.body);
        if (isObject(parsed)) payload = parsed;
      } catch {
        // not JSON
      }
      throw new PythonClientError(firstStr(payload.error, payload.message) || `HTTP ${res.status}`, res.status, firstStr(payload.error_type));
    }
    const data: unknown = JSON.parse(res.body); // response.json(); a ValueError is a failure
    return isObject(data) ? data : {};
  }

  /** share(secret, ttl_seconds, recipient=None) */
  async share(secret: string, ttlSeconds: number, recipient?: string) {
    const body: { secret: Record<string, unknown> } = {
      secret: { kind: 'conceal', share_domain: this.shareDomain, secret, ttl: ttlSeconds },
    };
    if (recipient) body.secret.recipient = recipient;
    const data = await this.request('POST', this.url, body);
    const result = PythonOtsClient.shareResult(data);
    if (!result.secretKey) throw new PythonClientError('Antwort ohne Secret-Key.', 200, '');
    if (!result.metadataKey) throw new PythonClientError('Antwort ohne Metadata-Key.', 200, '');
    return result;
  }

  /** fetch_status(identifier): GET /api/v2/receipt/<identifier> */
  async fetchStatus(identifier: string) {
    return PythonOtsClient.stateFromReceipt(await this.request('GET', `${this.apiBase()}/api/v2/receipt/${identifier}`));
  }

  /** burn(identifier): POST /api/v2/receipt/<identifier>/burn */
  async burn(identifier: string) {
    const state = PythonOtsClient.stateFromReceipt(await this.request('POST', `${this.apiBase()}/api/v2/receipt/${identifier}/burn`, this.burnBody));
    return state !== 'unknown' ? state : 'burned';
  }

  /** ping(): status and version without requiring credentials (but sending them if set), then recent. */
  async ping() {
    const base = this.apiBase();
    const statusData = await this.request('GET', `${base}/api/v2/status`, undefined, false);
    const versionData = await this.request('GET', `${base}/api/v2/version`, undefined, false);
    const status = firstStr(statusData.status) || 'ok';
    const raw = versionData.version;
    const version = Array.isArray(raw)
      ? raw.map(String).join('.') || '?'
      : isObject(raw)
        ? firstStr(raw.version, raw.commit) || '?'
        : typeof raw === 'string'
          ? raw || '?'
          : raw === undefined || raw === null
            ? '?'
            : String(raw);
    let authenticated = false;
    if (this.hasCredentials) {
      await this.request('GET', `${base}/api/v2/receipt/recent`);
      authenticated = true;
    }
    return { status, version, authenticated };
  }

  private static readonly STATE_FLAGS: [string, string][] = [
    ['burned', 'is_burned'],
    ['revealed', 'is_revealed'],
    ['expired', 'is_expired'],
    ['orphaned', 'is_orphaned'],
    ['previewed', 'is_previewed'],
  ];

  /** `_state_from_receipt`: record.secret_state, else the first true flag, else record.state / state. */
  static stateFromReceipt(data: Record<string, unknown>): string {
    const record = isObject(data.record) ? data.record : {};
    const secretState = firstStr(record.secret_state);
    if (secretState) return secretState;
    for (const [state, key] of PythonOtsClient.STATE_FLAGS) if (flag(record[key])) return state;
    return firstStr(record.state, data.state) || 'unknown';
  }

  /** `_share_result` */
  static shareResult(data: Record<string, unknown>) {
    const record = isObject(data.record) ? data.record : {};
    const secret = isObject(record.secret) ? record.secret : {};
    const receipt = isObject(record.receipt) ? record.receipt : {};
    const secretKey = firstStr(secret.key, secret.identifier, secret.shortid, data.secret_key);
    const metadataKey = firstStr(receipt.key, receipt.identifier, receipt.shortid, data.metadata_key);
    const metadataIdentifier = firstStr(receipt.identifier, receipt.key, receipt.shortid, data.metadata_key);
    const shareDomain = firstStr(record.share_domain, receipt.share_domain);
    const shareUrl = shareDomain && secretKey ? `https://${shareDomain}/secret/${secretKey}` : '';
    const state = firstStr(secret.state, 'new') || 'new';
    return { secretKey, metadataKey, metadataIdentifier, state, shareDomain, shareUrl, receiptShortid: firstStr(receipt.shortid) };
  }
}
