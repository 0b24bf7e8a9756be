// Drivers that put on the wire exactly what four OTS clients that appeared in 2026 send, and read back what they
// read (docs/contracts/ots-v2-api.md §7.5–§7.8). Our own code: only the requests and the fields read come from the
// clients' sources, which each driver names.
import { basicHeader, sendExact, type ExactResponse, type Transport } from './exact-request.js';

/** A client's refusal, as it would show it: the message and the status. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function json(res: ExactResponse): Json {
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---------------------------------------------------------------------------------------------------------------
// 1. KeePass plugin, davidsiv/KeePass-OneTimeSecretShare 2.12.26.09, src/OneTimeSecretShare/OtsClient.cs (§7.5):
//    HttpWebRequest (.NET Framework: `Expect: 100-continue`, `Connection: Keep-Alive`), the v2 body written byte by
//    byte, `ttl` a JSON string; v1 when the endpoint names neither /v2/, /conceal nor /generate.

export interface KeePassConfig {
  apiEndpoint: string;
  apiUsername: string;
  apiKey: string;
  shareDomain: string;
  defaultTtlSeconds: number;
}

export interface KeePassResult {
  secretKey: string;
  metadataKey: string;
  shareUrl: string;
  /** The share domain the server answered (record.share_domain, else record.receipt.share_domain), '' for none. */
  serverShareDomain: string;
}

/** "https://secrets.example.com/x" → "secrets.example.com", as NormalizeDomain. */
function bareHost(d: string): string {
  let v = d.trim();
  const scheme = v.indexOf('://');
  if (scheme >= 0) v = v.slice(scheme + 3);
  const cut = v.search(/[/?#]/);
  return (cut >= 0 ? v.slice(0, cut) : v).trim();
}

/** JSON string of the bytes as WriteJsonQuoted: `"` `\` and controls escaped, everything else raw UTF-8. */
function jsonQuoted(value: string): string {
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/["\\\u0000-\u001f]/g, (c) => named[c] ?? `\\u00${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}"`;
}

/** Uri.EscapeDataString: RFC 3986 unreserved kept, every other UTF-8 byte %XX in upper case. */
function escapeDataString(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

export async function keepassShare(cfg: KeePassConfig, secret: string, transport: Transport): Promise<KeePassResult> {
  const v2 = ['/v2/', '/conceal', '/generate'].some((s) => cfg.apiEndpoint.toLowerCase().includes(s));
  const shareDomain = bareHost(cfg.shareDomain);
  const body = v2
    ? `{"secret":{"kind":"conceal","secret":${jsonQuoted(secret)},"ttl":"${cfg.defaultTtlSeconds}","share_domain":${jsonQuoted(shareDomain)}}}`
    : `secret=${escapeDataString(secret)}&ttl=${cfg.defaultTtlSeconds}`;
  const url = new URL(cfg.apiEndpoint);
  const res = await sendExact(
    {
      method: 'POST',
      url: cfg.apiEndpoint,
      headers: [
        ['Content-Type', v2 ? 'application/json' : 'application/x-www-form-urlencoded'],
        ['Accept', 'application/json'],
        ['User-Agent', 'KeePass-OneTimeSecretShare/2.12.26.09 (David S.)'],
        ['Authorization', basicHeader(cfg.apiUsername, cfg.apiKey)],
        ['Host', url.host],
        ['Content-Length', String(Buffer.byteLength(body))],
        ['Expect', '100-continue'],
        ['Connection', 'Keep-Alive'],
      ],
      body,
    },
    transport,
  );
  const root = json(res);
  if (res.status < 200 || res.status > 299) {
    const field = str(root?.field);
    const msg = str(root?.error) || str(root?.message);
    throw new ClientError(`API returned ${res.status}.${msg ? ` ${msg}` : ''}${field ? ` (field: ${field})` : ''}`, res.status);
  }
  const authorityLink = (key: string) => `${url.protocol}//${url.host}/secret/${key}`;
  if (!v2) {
    const secretKey = str(root?.secret_key);
    if (!secretKey) throw new ClientError('Unexpected response (no secret_key)');
    return { secretKey, metadataKey: str(root?.metadata_key), shareUrl: authorityLink(secretKey), serverShareDomain: '' };
  }
  const record = root?.record;
  const secretKey = str(record?.secret?.key) || str(record?.secret?.identifier) || str(root?.secret_key) || str(root?.key);
  const metadataKey = str(record?.receipt?.key) || str(record?.receipt?.identifier) || str(record?.metadata_key);
  if (!secretKey) throw new ClientError('Unexpected v2 response (no secret identifier)');
  const serverShareDomain = str(record?.share_domain) || str(record?.receipt?.share_domain);
  const linkHost = bareHost(serverShareDomain) || shareDomain;
  return { secretKey, metadataKey, shareUrl: linkHost ? `https://${linkHost}/secret/${secretKey}` : authorityLink(secretKey), serverShareDomain };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. CIPP extension New-OneTimeSecretLink (CyberDrain/CIPP#629, Modules/CippExtensions/Public/OneTimeSecret/
//    New-OneTimeSecretLink.ps1, §7.6): Invoke-RestMethod on PowerShell 7 (its User-Agent, `-MaximumRedirection 0`),
//    `ConvertTo-Json -Compress` of a hashtable (key order not fixed; PowerShell 7 leaves `&`, `+` and `é` as they
//    are), `ttl` an integer of hours × 3600.

export interface CippConfig {
  baseUrl: string;
  email: string;
  apiKey: string;
  hours?: number;
  defaultPassphrase?: string;
}

const PWSH_AGENT = 'Mozilla/5.0 (Linux; Ubuntu 22.04.5 LTS; en-US) PowerShell/7.4.6';

export async function cippNewLink(cfg: CippConfig, password: string, transport: Transport): Promise<string> {
  const base = new URL(cfg.baseUrl);
  if (base.protocol !== 'https:' || base.username || base.password || base.search || base.hash) throw new ClientError('The base URL must be absolute https');
  const trimmed = cfg.baseUrl.replace(/\/$/, '');
  const secret: Record<string, unknown> = { ttl: (cfg.hours ?? 24) * 3600, share_domain: '', secret: password, kind: 'conceal' };
  if (cfg.defaultPassphrase) secret.passphrase = cfg.defaultPassphrase;
  const body = JSON.stringify({ secret });
  const res = await sendExact(
    {
      method: 'POST',
      url: `${trimmed}/api/v2/secret/conceal`,
      headers: [
        ['Host', base.host],
        ['User-Agent', PWSH_AGENT],
        ['Authorization', basicHeader(cfg.email, cfg.apiKey)],
        ['Accept', 'application/json'],
        ['Content-Type', 'application/json; charset=utf-8'],
        ['Content-Length', String(Buffer.byteLength(body))],
      ],
      body,
    },
    transport,
  );
  // -MaximumRedirection 0: a 3xx is an error like any non-2xx; only the status is logged.
  if (res.status < 200 || res.status > 299) throw new ClientError(`OneTimeSecret request failed: ${res.status}`, res.status);
  const answer = json(res);
  if (answer?.success === false) throw new ClientError('OneTimeSecret answered success false');
  const key = answer?.record?.secret?.identifier ?? answer?.record?.secret?.key;
  if (typeof key !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(key)) throw new ClientError('OneTimeSecret answered no usable key');
  return `${trimmed}/secret/${key}`;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. macOS app "OnetimePad" (onetimesecret/macos: crates/ots-client/src/{api,auth,types,http}.rs,
//    crates/ffi/src/conceal.rs, crates/transport/src/lib.rs; §7.7): https only, Basic `<org extid>:<token>` on the
//    v3 conceal, none on the guest conceal; optional fields omitted; strict parsing of what it reads.

export interface MacosConfig {
  serverUrl: string;
  organizationId?: string;
  token?: string;
  shareDomain?: string;
}

export interface MacosConcealed {
  receiptId: string;
  link: string;
  /** The parsed record, as the app's types would hold it. */
  parsed: { secretTtl: number | null; hasPassphrase: boolean; shareDomain: string | null };
}

function optional<T>(value: unknown, ok: (v: unknown) => boolean, field: string): T | null {
  if (value === undefined || value === null) return null;
  if (!ok(value)) throw new ClientError(`error decoding response body: invalid type at ${field}`);
  return value as T;
}

function required(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ClientError(`error decoding response body: missing field ${field}`);
  return value;
}

async function macosSend(cfg: MacosConfig, method: string, path: string, headers: [string, string][], transport: Transport, body?: string) {
  if (!cfg.serverUrl.startsWith('https://')) throw new ClientError('refusing a non-https server URL');
  const base = cfg.serverUrl.replace(/\/+$/, '');
  const host = new URL(base).host;
  const all: [string, string][] = [...headers, ['host', host]];
  if (body !== undefined) all.push(['content-length', String(Buffer.byteLength(body))]);
  return sendExact({ method, url: `${base}${path}`, headers: all, body }, transport);
}

export async function macosConceal(cfg: MacosConfig, secret: string, ttl: number, transport: Transport, extra: { passphrase?: string; recipient?: string } = {}): Promise<MacosConcealed> {
  const withAccount = Boolean(cfg.organizationId && cfg.token);
  const shareDomain = cfg.shareDomain || cfg.serverUrl.replace(/^https:\/\//, '').replace(/\/+$/, '');
  const body = JSON.stringify({ secret: { kind: 'conceal', secret, share_domain: shareDomain, ttl, ...extra } });
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['accept', 'application/json'],
    ...(withAccount ? ([['authorization', basicHeader(cfg.organizationId!, cfg.token!)]] as [string, string][]) : []),
  ];
  const res = await macosSend(cfg, 'POST', withAccount ? '/api/v3/secret/conceal' : '/api/v3/guest/secret/conceal', headers, transport, body);
  const answer = json(res);
  if (res.status < 200 || res.status > 299) {
    throw new ClientError(str(answer?.message) || str(answer?.error) || str(answer?.detail) || `HTTP ${res.status}`, res.status);
  }
  const record = answer?.record;
  const receiptId = required(record?.receipt?.identifier, 'record.receipt.identifier');
  required(record?.secret?.identifier, 'record.secret.identifier');
  const key = required(record?.secret?.key, 'record.secret.key');
  const isString = (v: unknown) => typeof v === 'string';
  for (const f of ['shortid', 'state'] as const) {
    optional(record.receipt[f], isString, `record.receipt.${f}`);
    optional(record.secret[f], isString, `record.secret.${f}`);
  }
  const secretTtl = optional<number>(record.receipt.secret_ttl, (v) => Number.isInteger(v) && (v as number) >= 0, 'record.receipt.secret_ttl');
  if (typeof record.secret.has_passphrase !== 'boolean') throw new ClientError('error decoding response body: invalid type at record.secret.has_passphrase');
  const sharedDomain = optional<string>(record.share_domain, isString, 'record.share_domain');
  const link = sharedDomain ? `https://${sharedDomain}/secret/${key}` : `${cfg.serverUrl.replace(/\/+$/, '')}/secret/${key}`;
  return { receiptId, link, parsed: { secretTtl, hasPassphrase: record.secret.has_passphrase, shareDomain: sharedDomain } };
}

/** The connection test: `GET <base>/api/v3/status`. */
export async function macosStatus(cfg: MacosConfig, transport: Transport): Promise<Json> {
  const res = await macosSend(cfg, 'GET', '/api/v3/status', [['accept', 'application/json']], transport);
  if (res.status !== 200) throw new ClientError(`HTTP ${res.status}`, res.status);
  return json(res);
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The official Python SDK (PyPI onetimesecret-v2, import onetimesecret_v2; §7.8): only its PyPI quick start could
//    be read. Assumed from it: `<base_url>/api/v2/secret/conceal`, Basic `<ur… customer id>:<api token>`, httpx's
//    default headers and compact JSON. Not verified: the rest (contract §11.8).

export async function pythonSdkConceal(
  cfg: { baseUrl: string; customer: string; apiToken: string },
  secret: string,
  opts: { ttl: number; passphrase?: string },
  transport: Transport,
): Promise<{ receiptIdentifier: string; secretIdentifier: string; body: Json }> {
  const body = JSON.stringify({ secret: { secret, ttl: opts.ttl, ...(opts.passphrase ? { passphrase: opts.passphrase } : {}) } });
  const url = new URL(`${cfg.baseUrl.replace(/\/+$/, '')}/api/v2/secret/conceal`);
  const res = await sendExact(
    {
      method: 'POST',
      url: url.href,
      headers: [
        ['host', url.host],
        ['accept', '*/*'],
        ['accept-encoding', 'gzip, deflate'],
        ['connection', 'keep-alive'],
        ['user-agent', 'python-httpx/0.28.1'],
        ['authorization', basicHeader(cfg.customer, cfg.apiToken)],
        ['content-length', String(Buffer.byteLength(body))],
        ['content-type', 'application/json'],
      ],
      body,
    },
    transport,
  );
  const answer = json(res);
  if (res.status !== 200) throw new ClientError(str(answer?.error) || `HTTP ${res.status}`, res.status);
  return { receiptIdentifier: answer.record.receipt.identifier, secretIdentifier: answer.record.secret.identifier, body: answer };
}
