// One HTTP or HTTPS request with exactly the given headers, in order, and nothing else (Host and Content-Length
// are the caller's too): what a replayed client puts on the wire. Never follows redirects, never uses a proxy,
// only talks to loopback. HTTPS trusts the given CA only (the test's own nginx certificate).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface ExactRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string | Buffer;
}

export interface ExactResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface Transport {
  /** PEM of the CA to trust for https:// URLs. */
  ca?: string;
  /** The client's own address (127.0.0.x), to be one client among several on loopback. */
  localAddress?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

export function sendExact(req: ExactRequest, transport: Transport = {}): Promise<ExactResponse> {
  const url = new URL(req.url);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`refusing to send outside loopback: ${req.url}`);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        servername: url.hostname === 'localhost' ? 'localhost' : undefined,
        port: url.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers.flat(),
        setHost: false,
        agent: false,
        ...(transport.ca ? { ca: transport.ca } : {}),
        ...(transport.localAddress ? { localAddress: transport.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          // Clients that offer gzip or deflate decode it transparently.
          const encoding = String(res.headers['content-encoding'] ?? '');
          let raw = Buffer.concat(chunks);
          if (encoding === 'gzip') raw = gunzipSync(raw);
          else if (encoding === 'deflate') raw = inflateSync(raw);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: raw.toString('utf8') });
        });
      },
    );
    r.setTimeout(30_000, () => r.destroy(new Error(`timeout: ${req.method} ${req.url}`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** `Basic base64(user:password)`, UTF-8 as .NET, PowerShell, Rust and httpx encode it. */
export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
