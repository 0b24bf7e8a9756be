// The v3 route table (docs/api-v2.md, Routes): the guest routes, the secret status routes, meta, and the
// authenticated routes, all on v2's handlers with v3's shapes (no `record.metadata`, no `custid`, recipients as a
// list). Upstream serves the authenticated routes to browser sessions only; ots-server serves them to Basic
// credentials (docs/contracts/ots-v2-api.md §11.2), which its own macOS app sends.
import type { ApiRoute } from '../route.js';
import { batchUnits, metaRoutes, receiptRoutes, secretRoutes, v2Handlers, type V2Deps } from '../v2/routes.js';
import * as v2Schemas from '../v2/schemas.js';

const schemas = v3Tagged(v2Schemas);
/** The authenticated routes' schemas: documented as needing Basic credentials. */
const accountSchemas = forAccounts(schemas);

export function v3Routes(deps: V2Deps): ApiRoute[] {
  const h = v2Handlers(deps, 'v3');
  return [
    ...secretRoutes(h, 'anon', '/guest', schemas),
    ...receiptRoutes(h, 'anon', '/guest', [], schemas),
    { method: 'POST', path: '/guest/receipts', auth: 'anon', rate: 'receipt', rateUnits: batchUnits, schema: schemas.receiptsBatch, handler: h.receipts },
    { method: 'GET', path: '/secret/:key/status', auth: 'anon', rate: 'reveal', schema: schemas.secretStatus, handler: h.secretStatus },
    { method: 'POST', path: '/secret/status', auth: 'anon', rate: 'reveal', rateUnits: batchUnits, schema: schemas.statusList, handler: h.statusList },
    ...metaRoutes(h, deps.versionRequiresAuth, schemas),
    // Credentials required: no header, empty ones or any other scheme get 401 (§11.2). No /private aliases in v3.
    ...secretRoutes(h, 'basic', '', accountSchemas),
    { method: 'GET', path: '/receipt/recent', auth: 'basic', rate: 'receipt', schema: accountSchemas.recent, handler: h.recent },
    ...receiptRoutes(h, 'basic', '', [], accountSchemas),
    { method: 'PATCH', path: '/receipt/:key', auth: 'basic', rate: 'receipt', schema: accountSchemas.updateMemo, handler: h.updateMemo },
  ];
}

/** v2's schemas under v3 tags. */
function v3Tagged<T extends Record<string, unknown>>(all: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(all)) {
    const tags = (schema as { tags?: string[] }).tags;
    out[name] = tags ? { ...(schema as object), tags: tags.map((t) => t.replace(/^v2 /, 'v3 ')) } : schema;
  }
  return out as T;
}

function forAccounts<T extends Record<string, unknown>>(all: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(all)) {
    out[name] = (schema as { tags?: unknown }).tags ? { ...(schema as object), security: [{ basicAuth: [] }] } : schema;
  }
  return out as T;
}
