// v2/v3 requests (the v2 contract of docs/api-v2.md, §2): the query string, a form body and a JSON object body merged (the
// body wins), form keys nested Rack-style (`secret[ttl]=60` is `{"secret":{"ttl":60}}`), JSON `null` as absent,
// and the create payload nested under `secret`. This file turns them into the service's inputs.
import type { FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import { PASSWORD_DEFAULT_LENGTH, PASSWORD_MAX_LENGTH, type CharacterSets } from '../../domain/password.js';
import { isEmail } from '../../domain/recipient.js';
import type { GenerateInput } from '../../domain/secrets-service.js';
import { checkFormShape, checkJsonShape } from '../../plugins/input-shape.js';
import { numberText } from '../../plugins/params.js';

export type Nested = { [key: string]: unknown };

const isObject = (v: unknown): v is Nested => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Names that would reach an object's prototype (`__proto__[x]=1` must never set Object.prototype.x). */
const UNSAFE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);
const isSafeKey = (key: string) => !UNSAFE_KEYS.has(key);

/** Sets `value` at a Rack-style key: `a[b][c]` nests, a trailing `[]` appends to an array. */
function setNested(out: Nested, key: string, value: unknown): void {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
  if (!match) {
    if (isSafeKey(key)) out[key] = value;
    return;
  }
  const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
  if (!path.every(isSafeKey)) return;
  let node: Nested = out;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i]!;
    if (path[i + 1] === '' && i + 1 === path.length - 1) {
      const list = Array.isArray(node[part]) ? (node[part] as unknown[]) : [];
      list.push(...(Array.isArray(value) ? value : [value]));
      node[part] = list;
      return;
    }
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Nested;
  }
  node[path[path.length - 1]!] = value;
}

/** A flat form (query string, urlencoded or multipart body) with its keys nested. */
function nestForm(flat: Record<string, unknown>): Nested {
  checkFormShape(Object.keys(flat));
  const out: Nested = {};
  for (const [key, value] of Object.entries(flat)) setNested(out, key, value);
  return out;
}

/** A JSON body: a sniffed string (no or another Content-Type) is parsed; anything but an object carries nothing. */
function jsonObject(body: unknown): Nested {
  if (typeof body === 'string') {
    const text = body.trim();
    if (!text.startsWith('{') && !text.startsWith('[')) return {};
    try {
      body = JSON.parse(text);
    } catch {
      throw errors.malformedBody();
    }
    checkJsonShape(body);
  }
  return isObject(body) ? body : {};
}

/** Drops JSON nulls (absent everywhere), recursively. */
function withoutNulls(value: Nested): Nested {
  const out: Nested = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || !isSafeKey(k)) continue;
    out[k] = isObject(v) ? withoutNulls(v) : v;
  }
  return out;
}

/** Merges b over a; objects present in both are merged too. */
function merge(a: Nested, b: Nested): Nested {
  const out: Nested = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (isSafeKey(k)) out[k] = isObject(v) && Object.hasOwn(out, k) && isObject(out[k]) ? merge(out[k] as Nested, v) : v;
  }
  return out;
}

/** Everything the caller sent, nested: the query string under the body. */
export function v2Params(req: FastifyRequest): Nested {
  const query = nestForm((req.query ?? {}) as Record<string, unknown>);
  const isForm = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(req.headers['content-type'] ?? '');
  const body = isForm ? nestForm((req.body ?? {}) as Record<string, unknown>) : jsonObject(req.body);
  return withoutNulls(merge(query, body));
}

/** A text parameter: strings as they are, numbers as digits (`"ttl": 3600`); anything else is absent. */
export function text(value: unknown): string | undefined {
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return numberText(value);
  return undefined;
}

/** `continue` (and the like): JSON true or the string "true"; absent stays undefined; anything else is false. */
export function flag(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}

/** A comma-separated string or an array of identifiers (`POST /secret/status`, `/guest/receipts`). */
export function identifiers(value: unknown): string[] {
  const list = Array.isArray(value) ? value.flatMap((v) => String(v).split(',')) : (text(value) ?? '').split(',');
  return list.map((id) => id.trim()).filter((id) => id !== '');
}

/** Recipients: a string or a list; tags stripped, lower-cased, empties and duplicates dropped. */
function recipients(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  const clean = list
    .map((v) => text(v))
    .filter((v): v is string => v !== undefined)
    .map((v) => v.replace(/<[^>]*>/g, '').trim().toLowerCase())
    .filter((v) => v !== '');
  return [...new Set(clean)];
}

/** What the server's own host is: a client naming it as `share_domain` (GLPI, the Python client) means none. */
export function ownHost(publicUrl: string): string {
  return new URL(publicUrl).hostname.toLowerCase();
}

function shareDomain(value: unknown, host: string): string | undefined {
  const given = text(value)?.trim().toLowerCase();
  // Any spelling of the own host counts: letter case, `:port`, a path (`host/ots`, as the macOS app sends it).
  if (!given || given.replace(/^https?:\/\//, '').replace(/\/.*$/, '').replace(/:\d+$/, '') === host) return undefined;
  return given;
}

export interface CreateRequest {
  input: GenerateInput;
  /** The cleaned recipients as given (the service mails the first). */
  recipients: string[];
}

/**
 * The `secret` payload of conceal and generate. A flat `secret=...` (a v1-style body) is refused as
 * `Incorrect payload format`; `kind` and unknown keys are ignored (the route decides the kind).
 */
export function createRequest(params: Nested, host: string, isAccount: boolean): CreateRequest {
  if (typeof params.secret === 'string') throw errors.incorrectPayload();
  const s = isObject(params.secret) ? params.secret : {};
  const list = recipients(s.recipient);
  // An anonymous caller is told that a recipient needs an account (the service does); an account, that it is bad.
  if (isAccount && !list.every(isEmail)) throw errors.invalidRecipient();
  const ttl = text(s.ttl);
  return {
    input: {
      secret: text(s.secret),
      ttl: ttl === '' ? undefined : ttl,
      passphrase: text(s.passphrase),
      recipient: list[0],
      share_domain: shareDomain(s.share_domain, host),
    },
    recipients: list,
  };
}

/** generate's `length` and `character_sets`; a length that is not positive, or over the maximum, is refused. */
export function generateOptions(params: Nested): Pick<GenerateInput, 'length' | 'characterSets'> {
  const s = isObject(params.secret) ? params.secret : {};
  const raw = text(s.length);
  let length = PASSWORD_DEFAULT_LENGTH;
  if (raw !== undefined && raw !== '') {
    length = /^\s*\d+\s*$/.test(raw) ? Number(raw) : 0;
    if (length <= 0) throw errors.invalidLength();
    if (length > PASSWORD_MAX_LENGTH) throw errors.lengthTooLong(PASSWORD_MAX_LENGTH);
  }
  const sets = isObject(s.character_sets) ? s.character_sets : {};
  const characterSets: CharacterSets = {};
  for (const name of ['uppercase', 'lowercase', 'numbers', 'symbols', 'exclude_ambiguous'] as const) {
    const on = flag(sets[name]);
    if (on !== undefined) characterSets[name] = on;
  }
  return { length, characterSets };
}
