// The v3 route table (docs/api-v2.md, Routes): the guest routes, the secret status routes and meta, on v2's
// handlers with v3's shapes (no `record.metadata`, no `custid`, recipients as a list). Upstream serves the other v3
// routes to browser sessions only: here they answer 401 in the v3 error shape.
import { errors } from '../../domain/errors.js';
import type { ApiRoute } from '../route.js';
import { batchUnits, metaRoutes, receiptRoutes, secretRoutes, v2Handlers, type V2Deps } from '../v2/routes.js';
import * as v2Schemas from '../v2/schemas.js';

const schemas = v3Tagged(v2Schemas);

export function v3Routes(deps: V2Deps): ApiRoute[] {
  const h = v2Handlers(deps, 'v3');
  const sessionOnly = async () => {
    throw errors.sessionRequired();
  };
  const session = (method: 'GET' | 'POST' | 'PATCH', path: string): ApiRoute => ({
    method,
    path,
    auth: 'none',
    rate: 'unrouted',
    schema: { hide: true },
    handler: sessionOnly,
  });
  return [
    ...secretRoutes(h, 'anon', '/guest', schemas),
    ...receiptRoutes(h, 'anon', '/guest', [], schemas),
    { method: 'POST', path: '/guest/receipts', auth: 'anon', rate: 'receipt', rateUnits: batchUnits, schema: schemas.receiptsBatch, handler: h.receipts },
    { method: 'GET', path: '/secret/:key/status', auth: 'anon', rate: 'reveal', schema: schemas.secretStatus, handler: h.secretStatus },
    { method: 'POST', path: '/secret/status', auth: 'anon', rate: 'reveal', rateUnits: batchUnits, schema: schemas.statusList, handler: h.statusList },
    ...metaRoutes(h, deps.versionRequiresAuth, schemas),
    session('POST', '/secret/conceal'),
    session('POST', '/secret/generate'),
    session('GET', '/secret/:key'),
    session('POST', '/secret/:key/reveal'),
    session('GET', '/receipt/recent'),
    session('GET', '/receipt/:key'),
    session('PATCH', '/receipt/:key'),
    session('POST', '/receipt/:key/burn'),
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
