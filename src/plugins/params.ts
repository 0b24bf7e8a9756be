import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../domain/errors.js';
import { checkJsonShape } from './input-shape.js';
import { wireOf } from './wire.js';
import { decodeUtf8, MALFORMED, parseUrlEncoded } from './urlencoded.js';

export type Params = Record<string, string>;

/** A multipart request whose body is read: it has one, or its method sends one (GET and HEAD routes read none). */
const readsMultipart = (req: FastifyRequest) =>
  /^\s*multipart\/form-data/i.test(req.headers['content-type'] ?? '') &&
  (req.isMultipart() || (req.method !== 'GET' && req.method !== 'HEAD'));

declare module 'fastify' {
  interface FastifyRequest {
    /** Query string merged with the body (body wins); flat strings; empty values removed. */
    otsParams: Params;
  }
}

/**
 * A JSON number as text: whole numbers as digits even from 1e21 on, where String() switches to `1e+21` (which a
 * TTL would read as 1 second instead of clamping it to the maximum).
 */
export function numberText(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : String(value);
}

function scalar(value: unknown): string | undefined {
  if (Array.isArray(value)) return scalar(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** Adds one source to `out`: `recipient[]` becomes `recipient`, arrays give their first element, empty means
 * absent, and a name `out` already has is left as it is. */
function addFlattened(out: Params, source: unknown): Params {
  if (!source || typeof source !== 'object' || Array.isArray(source)) return out;
  for (const rawKey of Object.keys(source)) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    const value = scalar((source as Record<string, unknown>)[rawKey]);
    if (value !== undefined && value !== '' && !(key in out)) out[key] = value;
  }
  return out;
}

/** Flattens one source (see addFlattened). */
export function flatten(source: unknown): Params {
  return addFlattened({}, source);
}

/** The query string and the body as one set of parameters; the body wins. */
export function mergeParams(query: unknown, body: unknown): Params {
  return addFlattened(addFlattened({}, body), query);
}

/**
 * Body parsers for the three content types the contract allows (and none), then the merge. Limits keep large
 * input from being buffered: the body limit covers the largest secret even percent-encoded, plus the rest.
 */
export const paramsPlugin = fp(async (app: FastifyInstance, opts: { maxSecretBytes: number }) => {
  const fieldLimit = opts.maxSecretBytes * 3 + 4096;
  const bodyLimit = fieldLimit + 4096;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseUrlEncoded(decodeUtf8(body as Buffer)));
    } catch {
      done(errors.badRequest(), undefined);
    }
  });
  // Fastify enforces bodyLimit only for the parsers above; a multipart body announcing more is refused unread
  // (one sent chunked is bounded by the field size and count limits below, which busboy applies as it streams).
  // (Hooks on every request are callback-style: an async hook costs a promise per request.)
  // A GET or HEAD body is never read, whatever it announces: its answer is the GET's.
  app.addHook('preParsing', (req, _reply, payload, done) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const read = req.method !== 'GET' && req.method !== 'HEAD';
    if (read && declared > bodyLimit && /^\s*multipart\//i.test(req.headers['content-type'] ?? '')) {
      return done(errors.secretTooLarge(opts.maxSecretBytes));
    }
    done(null, payload);
  });
  // busboy throws a bare Error (a 500) for a multipart type without a boundary; refuse it first as a malformed body
  // (docs/contracts/ots-v2-api.md §11.5).
  app.addHook('preValidation', (req, _reply, done) => {
    done(readsMultipart(req) && !/boundary=/i.test(req.headers['content-type']!) ? errors.malformedBody() : undefined);
  });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fields: 20, fieldSize: opts.maxSecretBytes + 4096, files: 0, parts: 20, fieldNameSize: 100 },
  });
  // A multipart body has at least one part (RFC 2046): none means its boundary never came (or no body did), which
  // busboy accepts silently as an empty form.
  app.addHook('preValidation', (req, _reply, done) => {
    const empty = readsMultipart(req) && Object.keys((req.body ?? {}) as object).length === 0;
    done(empty ? errors.malformedBody() : undefined);
  });
  // JSON: an empty body is an empty object (clients send the header with params in the query string).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    let parsed: unknown;
    try {
      const text = decodeUtf8(body as Buffer).trim();
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      return done(errors.malformedBody(), undefined);
    }
    try {
      checkJsonShape(parsed);
    } catch (err) {
      return done(err as Error, undefined);
    }
    done(null, parsed);
  });
  // Any other (or no) content type: v2 and v3 sniff a JSON body (api/v2/params.ts); v1 refuses it.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
    if (wireOf(req.url) !== 'v2') return done(errors.unsupportedMediaType(), undefined);
    try {
      done(null, decodeUtf8(body as Buffer));
    } catch {
      done(errors.malformedBody(), undefined);
    }
  });
  app.decorateRequest('otsParams', null as unknown as Params);
  app.addHook('preHandler', (req, _reply, done) => {
    if ((req.query as { [MALFORMED]?: true } | undefined)?.[MALFORMED]) return done(errors.badRequest());
    req.otsParams = mergeParams(req.query, req.body);
    done();
  });
});
