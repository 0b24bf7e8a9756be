// The OpenAPI document: served at /api/v1/openapi.json, committed as docs/openapi.json, and true to the wire.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../../src/api/route.js';
import { v2Routes } from '../../src/api/v2/routes.js';
import { v3Routes } from '../../src/api/v3/routes.js';
import { formatJson, OPENAPI_FILE } from '../../src/cli/docs.js';
import { burn, get, ok, postForm, postJson, reveal, share, type Receipt } from '../api/wire.js';
import { ROOT } from '../e2e/built.js';
import { ALICE, makeApp, type TestApp } from '../support/app.js';

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  parameters?: { in: string; name: string }[];
  requestBody?: { required: boolean; content: Record<string, unknown> };
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

describe('OpenAPI document (Redis store)', () => {
  let t: TestApp;
  let doc: OpenApi;

  beforeAll(async () => {
    // A configuration unlike `npm run docs`'s: the document must not depend on it.
    t = await makeApp('redis', { API_ERROR_STATUS: 'intended', MAX_SECRET_BYTES: '500' });
    doc = ok<OpenApi>(await get(t, '/api/v1/openapi.json'));
  });
  afterAll(() => t?.close());

  it('docs/openapi.json is the document the server serves (run `npm run docs` after changing a route schema)', () => {
    const committed = readFileSync(`${ROOT}${OPENAPI_FILE}`, 'utf8');
    expect(committed, `${OPENAPI_FILE} is out of date: run npm run docs`).toBe(formatJson(doc));
  });

  it('documents every v2 and v3 route of the route tables, aliases included (the session-only v3 routes are hidden)', () => {
    const deps = { service: t.app.ots.service, store: t.store, publicUrl: 'https://x.example', version: '0.1.0', locales: ['en'], versionRequiresAuth: false };
    const expected = (prefix: string, routes: ApiRoute[]) =>
      routes
        .filter((r) => !r.schema.hide)
        .flatMap((r) => [r.path, ...(r.aliases ?? [])].flatMap((path) => [r.method].flat().map((m) => `${m} ${prefix}${path.replace(/:key/g, '{key}')}`)));
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const documented = operations.filter((op) => /^\S+ \/api\/v[23]\//.test(op)).sort();
    expect(documented).toEqual([...expected('/api/v2', v2Routes(deps)), ...expected('/api/v3', v3Routes(deps))].sort());
    expect(documented.length).toBeGreaterThan(30);
  });

  it('is OpenAPI 3.1 and documents every v1 route, aliases included, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const receipts = ['private', 'metadata', 'receipt'].flatMap((b) => [
      `GET /api/v1/${b}/recent`,
      `GET /api/v1/${b}/{key}`,
      `POST /api/v1/${b}/{key}`,
      `POST /api/v1/${b}/{key}/burn`,
    ]);
    // Incoming secrets (docs/contracts/ots-incoming-api.md) are documented too, under their own prefix.
    expect(operations.filter((op) => op.includes(' /api/incoming/')).sort()).toEqual(
      ['GET /api/incoming/config', 'POST /api/incoming/secret', 'POST /api/incoming/validate'],
    );
    expect(operations.filter((op) => !/^\S+ \/api\/(v[23]|incoming)\//.test(op)).sort()).toEqual(
      [
        'GET /api/v1/status',
        'GET /api/v1/authcheck',
        'POST /api/v1/share',
        'POST /api/v1/create',
        'POST /api/v1/generate',
        'POST /api/v1/secret/{key}',
        ...receipts,
      ].sort(),
    );
  });

  it('documents parameters in the query string and in optional bodies of the three content types', () => {
    const shareOp = doc.paths['/api/v1/share']!.post!;
    expect(shareOp.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
      expect.arrayContaining(['secret', 'passphrase', 'ttl', 'recipient', 'share_domain']),
    );
    expect(shareOp.requestBody!.required).toBe(false);
    expect(Object.keys(shareOp.requestBody!.content).sort()).toEqual(
      ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].sort(),
    );
  });

  it('names the configurable limits with their defaults instead of stating one server\'s values as fact', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/\[60, (7|30) days\]/);
    const creates = ['/api/v1/share', '/api/v1/generate', '/api/v2/secret/conceal', '/api/v2/secret/generate'];
    for (const path of creates) {
      const described = JSON.stringify(doc.paths[path]!.post);
      for (const limit of ['TTL_DEFAULT` (default 604800)', 'TTL_MIN` (default 60)', 'TTL_MAX_ANONYMOUS` (default 604800)', 'TTL_MAX` (default 2592000)']) {
        expect(described, `${path} ttl`).toContain(limit);
      }
    }
    for (const path of ['/api/v1/share', '/api/v2/secret/conceal']) {
      expect(JSON.stringify(doc.paths[path]!.post), `${path} secret`).toContain('MAX_SECRET_BYTES` (default 10000)');
    }
  });

  it('request schemas never refuse what the contract accepts (they document, they do not validate)', async () => {
    // A number where the document says string, a ttl with trailing junk, an array recipient: all fine on the wire.
    const r = ok<Receipt>(await postJson(t, '/api/v1/share?ttl=3600abc', { secret: 42, recipient: [], share_domain: ['x'] }));
    expect(r.ttl).toBe(3600);
    expect(ok<{ value: string }>(await reveal(t, r.secret_key!)).value).toBe('42');
    expect(ok<Receipt>(await postForm(t, '/api/v1/generate?length=abc', {})).value).toHaveLength(12);
  });

  /** The properties the document declares for a response, following $refs into components. */
  function declared(schema: JsonSchema): JsonSchema {
    return schema.$ref ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]! : schema;
  }

  /** Fails when a response carries a field its documented schema does not declare (recursing into objects). */
  function expectDeclared(body: unknown, schema: JsonSchema, where: string): void {
    const s = declared(schema);
    if (Array.isArray(body)) return body.forEach((item, i) => expectDeclared(item, s.items!, `${where}[${i}]`));
    if (body === null || typeof body !== 'object') return;
    for (const [key, value] of Object.entries(body)) {
      expect(Object.keys(s.properties ?? {}), `${where}.${key} is sent but not documented`).toContain(key);
      expectDeclared(value, s.properties![key]!, `${where}.${key}`);
    }
  }

  function schemaOf(method: string, path: string, status: string): JsonSchema {
    const responses = doc.paths[path]![method]!.responses;
    return (responses[status] ?? responses[`${status[0]}XX`])!.content!['application/json']!.schema;
  }

  it('declares every field of every response, in every receipt state', async () => {
    const check = async (method: string, path: string, res: Awaited<ReturnType<typeof get>>) =>
      expectDeclared(res.json(), schemaOf(method, path, String(res.statusCode)), `${method.toUpperCase()} ${path} ${res.statusCode}`);

    const withEverything = await postForm(t, '/api/v1/share', { secret: 's', passphrase: 'p', recipient: 'r@example.org', share_domain: 'example.net' }, ALICE);
    await check('post', '/api/v1/share', withEverything);
    const receipt = withEverything.json() as Receipt;
    await check('post', '/api/v1/generate', await postForm(t, '/api/v1/generate', {}));
    await check('get', '/api/v1/private/{key}', await get(t, `/api/v1/private/${receipt.metadata_key}`, ALICE)); // new
    await check('get', '/api/v1/private/{key}', await get(t, `/api/v1/private/${receipt.metadata_key}`, ALICE)); // viewed
    await check('post', '/api/v1/secret/{key}', await reveal(t, receipt.secret_key!, { passphrase: 'p' }));
    await check('get', '/api/v1/private/{key}', await get(t, `/api/v1/private/${receipt.metadata_key}`, ALICE)); // received
    const toBurn = await share(t, { secret: 'b' }, ALICE);
    await check('post', '/api/v1/private/{key}/burn', await burn(t, toBurn.metadata_key, {}, ALICE));
    await check('get', '/api/v1/private/recent', await get(t, '/api/v1/private/recent', ALICE));
    await check('get', '/api/v1/status', await get(t, '/api/v1/status'));
    // Errors (intended mode here, so their real statuses): unknown secret with its key, not authorized.
    await check('post', '/api/v1/secret/{key}', await reveal(t, 'nosuchkey'));
    await check('get', '/api/v1/private/recent', await get(t, '/api/v1/private/recent'));
  });
});
