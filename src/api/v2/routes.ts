// The v2 route table (docs/api-v2.md, Routes), whose handlers v3 shares (api/v3/routes.ts): requests translated to
// the service's calls (params.ts), results to v2/v3 records (shapes.ts). The rules are the service's.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../domain/errors.js';
import { BATCH_MAX, type SecretsService } from '../../domain/secrets-service.js';
import type { Store } from '../../domain/store.js';
import { keyParam, type ApiRoute, type AuthMode } from '../route.js';
import { storeStatus } from '../status.js';
import { createRequest, flag, generateOptions, identifiers, ownHost, text, v2Params } from './params.js';
import * as schemas from './schemas.js';
import { burnView, displayLines, receiptRecord, receiptView, secretOf, secretRecord, type Version } from './shapes.js';

export interface V2Deps {
  service: SecretsService;
  store: Store;
  /** The server's public origin: the links in receipts open its pages. */
  publicUrl: string;
  /** The server's version, answered by /version as three strings. */
  version: string;
  locales: readonly string[];
  /** VERSION_REQUIRES_AUTH: /version needs credentials, as upstream since v0.26.6. */
  versionRequiresAuth: boolean;
}

const LOCALE = 'en';

/**
 * What a batch costs its caller's budget (docs/api-v2.md): one unit per identifier, so a batch never buys more
 * lookups than single calls would; an empty batch, or one over the cap (refused), costs one like any request.
 */
export function batchUnits(req: FastifyRequest): number {
  const count = identifiers(v2Params(req).identifiers).length;
  return count <= BATCH_MAX ? Math.max(count, 1) : 1;
}

export function v2Handlers(deps: V2Deps, version: Version) {
  const { service, publicUrl } = deps;
  const host = ownHost(publicUrl);
  const isOwner = (req: FastifyRequest, custid: string) => service.isOwner(custid, req.actor);

  const created = async (req: FastifyRequest, kind: 'conceal' | 'generate') => {
    const params = v2Params(req);
    const { input, recipients } = createRequest(params, host, req.actor.isAccount);
    const made =
      kind === 'conceal'
        ? await service.share(input, req.actor)
        : await service.generate({ ...input, ...generateOptions(params) }, req.actor);
    const receipt = receiptRecord(made.receipt, version);
    const value = 'value' in made ? (made.value as string) : undefined;
    return {
      success: true,
      record: {
        receipt,
        ...(version === 'v2' ? { metadata: receipt } : {}),
        // The generated password, this once (§10.4).
        secret: secretRecord(secretOf(made.receipt), value === undefined ? undefined : { generated: value }),
        share_domain: made.receipt.shareDomain || null,
      },
      details: { kind, recipient: recipients, recipient_safe: made.receipt.recipient ? [made.receipt.recipient] : [] },
    };
  };

  /** The v2 meta routes carry `success`; v3's do not (§3.8). */
  const meta = <T extends object>(body: T) => (version === 'v2' ? { success: true, ...body } : body);

  /** A look that does not reveal: the same answer whatever passphrase was sent (the passphrase gate). */
  const lookAt = async (req: FastifyRequest, key: string) => {
    const info = await service.look(key);
    return {
      success: true,
      record: secretRecord(info),
      details: { continue: false, is_owner: isOwner(req, info.custid), show_secret: false, display_lines: 4, one_liner: null },
    };
  };

  return {
    conceal: (req: FastifyRequest) => created(req, 'conceal'),
    generate: (req: FastifyRequest) => created(req, 'generate'),

    /**
     * GET /secret/:id: what the link shows before revealing. Never consumes (§9: `continue` is ignored) and never
     * evaluates a passphrase (the passphrase gate, docs/api-v2.md).
     */
    showSecret: async (req: FastifyRequest) => lookAt(req, keyParam(req)),

    reveal: async (req: FastifyRequest) => {
      const key = keyParam(req);
      const params = v2Params(req);
      if (flag(params.continue) !== true) return lookAt(req, key);
      // The secret's facts come from the claim itself, as they were just before it: one step for all.
      const { value, info } = await service.reveal(key, text(params.passphrase));
      return {
        success: true,
        record: secretRecord(info, { revealed: value }),
        details: { continue: true, is_owner: isOwner(req, info.custid), show_secret: true, display_lines: displayLines(value), one_liner: !value.includes('\n') },
      };
    },

    secretStatus: async (req: FastifyRequest) => {
      const info = await service.inspect(keyParam(req));
      if (!info) return { success: true, record: { state: 'unknown' } };
      return { success: true, record: secretRecord(info), details: { current_expiration: info.secretTtl } };
    },

    statusList: async (req: FastifyRequest) => {
      const records = (await service.inspectMany(identifiers(v2Params(req).identifiers))).map((info) => secretRecord(info));
      return { success: true, records, count: records.length };
    },

    showReceipt: async (req: FastifyRequest) => ({
      success: true,
      ...receiptView(await service.viewReceipt(keyParam(req), req.actor), version, publicUrl),
    }),

    /** Commits unless `continue` is explicitly not true (§9); answers the receipt as it then is. */
    burn: async (req: FastifyRequest) => {
      const params = v2Params(req);
      const commit = flag(params.continue) !== false;
      const { burned, snapshot } = await service.burnIfCommitted(keyParam(req), text(params.passphrase), req.actor, commit);
      return { success: burned, ...burnView(snapshot.receipt, version, publicUrl) };
    },

    updateMemo: async (req: FastifyRequest) => {
      const updated = await service.setMemo(keyParam(req), text(v2Params(req).memo), req.actor);
      return { success: true, record: receiptRecord(updated.receipt, version) };
    },

    recent: async (req: FastifyRequest) => {
      const scope = text(v2Params(req).scope);
      if (scope === 'domain') throw errors.invalidDomain();
      const { since, now, receipts } = await service.recentlyChanged(req.actor);
      const records = receipts.map((s) => receiptRecord(s.receipt, version));
      return {
        success: true,
        custid: req.actor.custid,
        count: records.length,
        records,
        details: {
          type: 'list',
          scope: null,
          scope_label: null,
          since,
          now,
          has_items: records.length > 0,
          revealed_receipts: records.filter((r) => r.is_destroyed),
          pending_receipts: records.filter((r) => !r.is_destroyed),
        },
      };
    },

    /** v3's batch of receipts: unknown (or refused) ones are left out. */
    receipts: async (req: FastifyRequest) => {
      const found = await service.viewReceipts(identifiers(v2Params(req).identifiers), req.actor);
      const records = found.map((s) => receiptRecord(s.receipt, version));
      return { success: true, records, count: records.length };
    },

    status: async () => meta({ status: (await storeStatus(deps.store)) ? 'nominal' : 'offline', locale: LOCALE }),
    supportedLocales: async () => meta({ locales: [...deps.locales], default_locale: LOCALE, locale: LOCALE }),
    version: async () => meta({ version: deps.version.split('.').slice(0, 3), locale: LOCALE }),
  };
}

/** A CORS preflight of the create routes: allowed, but no origin is invited (same-origin use only). */
const preflight = async (_req: FastifyRequest, reply: FastifyReply) =>
  reply
    .code(204)
    .header('Allow', 'OPTIONS, POST')
    .header('Access-Control-Allow-Methods', 'OPTIONS, POST')
    .header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept')
    .send();

export function v2Routes(deps: V2Deps): ApiRoute[] {
  const h = v2Handlers(deps, 'v2');
  return [
    ...secretRoutes(h, 'basic+anon', ''),
    ...secretRoutes(h, 'anon', '/guest'),
    { method: 'GET', path: '/secret/:key/status', auth: 'basic+anon', rate: 'reveal', schema: schemas.secretStatus, handler: h.secretStatus },
    { method: 'POST', path: '/secret/status', auth: 'basic+anon', rate: 'reveal', rateUnits: batchUnits, schema: schemas.statusList, handler: h.statusList },
    {
      method: 'GET',
      path: '/receipt/recent',
      aliases: ['/private/recent'],
      auth: 'basic',
      rate: 'receipt',
      schema: schemas.recent,
      handler: h.recent,
    },
    ...receiptRoutes(h, 'basic+anon', '', ['/private']),
    ...receiptRoutes(h, 'anon', '/guest', []),
    {
      method: 'PATCH',
      path: '/receipt/:key',
      aliases: ['/private/:key'],
      auth: 'basic+anon',
      rate: 'receipt',
      schema: schemas.updateMemo,
      handler: h.updateMemo,
    },
    { method: 'OPTIONS', path: '/secret/conceal', aliases: ['/secret/generate'], auth: 'none', rate: false, schema: schemas.preflight, handler: preflight },
    ...metaRoutes(h, deps.versionRequiresAuth),
  ];
}

export type Handlers = ReturnType<typeof v2Handlers>;
export type Schemas = typeof schemas;

export function secretRoutes(h: Handlers, auth: AuthMode, prefix: string, s: Schemas = schemas): ApiRoute[] {
  return [
    { method: 'POST', path: `${prefix}/secret/conceal`, auth, rate: 'create', schema: s.conceal, handler: h.conceal },
    { method: 'POST', path: `${prefix}/secret/generate`, auth, rate: 'create', schema: s.generate, handler: h.generate },
    { method: 'GET', path: `${prefix}/secret/:key`, auth, rate: 'reveal', schema: s.showSecret, handler: h.showSecret },
    { method: 'POST', path: `${prefix}/secret/:key/reveal`, auth, rate: 'reveal', schema: s.reveal, handler: h.reveal },
  ];
}

export function receiptRoutes(h: Handlers, auth: AuthMode, prefix: string, aliasBases: string[], s: Schemas = schemas): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: `${prefix}/receipt/:key`,
      aliases: aliasBases.map((b) => `${b}/:key`),
      auth,
      rate: 'receipt',
      schema: s.showReceipt,
      handler: h.showReceipt,
    },
    {
      method: 'POST',
      path: `${prefix}/receipt/:key/burn`,
      aliases: aliasBases.map((b) => `${b}/:key/burn`),
      auth,
      rate: 'burn',
      schema: s.burn,
      handler: h.burn,
    },
  ];
}

/** status, supported-locales and version; /version needs credentials with VERSION_REQUIRES_AUTH. */
export function metaRoutes(h: Handlers, versionRequiresAuth: boolean, s: Schemas = schemas): ApiRoute[] {
  const versionAuth: AuthMode = versionRequiresAuth ? 'basic' : 'none';
  return [
    { method: 'GET', path: '/status', auth: 'none', rate: false, schema: s.status, handler: h.status },
    { method: 'GET', path: '/supported-locales', auth: 'none', rate: false, schema: s.supportedLocales, handler: h.supportedLocales },
    { method: 'GET', path: '/version', auth: versionAuth, rate: false, schema: s.version, handler: h.version },
  ];
}
