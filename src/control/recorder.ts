// What clients sent, for a test to assert its client's wire behaviour: the shape of each request, never its
// values (no secret, passphrase, token or query value is kept; only the names of the parameters).
import type { FastifyRequest } from 'fastify';

export interface RecordedRequest {
  method: string;
  /** The path as sent, without the query string, e.g. `/api/v2/receipt/abc…` (keys are identifiers, not values). */
  path: string;
  /** The route it reached, e.g. `/api/v2/receipt/:identifier`; null when none did (a 404). */
  route: string | null;
  version: 'v1' | 'v2' | 'v3' | 'web';
  /** Names of the query and body parameters in the order sent, nested ones flattened: `secret.secret`. */
  params: string[];
  /** The Basic credentials' username (email or account id); null without Basic credentials. Never the token. */
  username: string | null;
  status: number;
}

/** The most recent requests kept; older ones are dropped first. */
export const RECORDED_MAX = 1000;

export class RequestRecorder {
  private entries: RecordedRequest[] = [];

  record(req: FastifyRequest, status: number): void {
    const path = req.url.split('?', 1)[0]!;
    this.entries.push({
      method: req.method,
      path,
      route: req.is404 ? null : (req.routeOptions.url ?? null),
      version: versionOf(path),
      params: [...new Set([...namesOf(req.query), ...namesOf(bodyObject(req.body))])],
      username: basicUsername(req.headers.authorization),
      status,
    });
    if (this.entries.length > RECORDED_MAX) this.entries.splice(0, this.entries.length - RECORDED_MAX);
  }

  list(): RecordedRequest[] {
    return this.entries.map((e) => ({ ...e, params: [...e.params] }));
  }

  clear(): void {
    this.entries = [];
  }
}

function versionOf(path: string): RecordedRequest['version'] {
  const match = /^\/api\/(v[23])(?:\/|$)/.exec(path);
  if (match) return match[1] as 'v2' | 'v3';
  return path === '/api' || path.startsWith('/api/') ? 'v1' : 'web';
}

/** A body as an object of parameters: v2 and v3 sniff a JSON body sent under another type, which arrives as text. */
function bodyObject(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function namesOf(source: unknown, prefix = ''): string[] {
  if (!source || typeof source !== 'object' || Array.isArray(source) || Buffer.isBuffer(source)) return [];
  return Object.entries(source as Record<string, unknown>).flatMap(([key, value]) => {
    const name = prefix + key;
    const nested = value && typeof value === 'object' && !Array.isArray(value) ? namesOf(value, `${name}.`) : [];
    return nested.length ? nested : [name];
  });
}

function basicUsername(header: string | undefined): string | null {
  const match = header && /^basic\s+(\S+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 || colon === 0 ? null : decoded.slice(0, colon);
}
