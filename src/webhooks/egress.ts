// One webhook post, kept on a short leash: a bounded time, no redirect followed (a receiver cannot send our signed
// body elsewhere), a few KB of the answer read at most, and only a 2xx counts. It never throws. Plain node:http(s)
// with keep-alive agents rather than fetch: a delivery costs about 40% less server CPU (docs/performance.md,
// "Webhooks on versus off"), and a redirect is simply never followed.
import http from 'node:http';
import https from 'node:https';

/** How much of an answer is read before the rest is dropped: receivers owe us nothing but a status. */
export const ANSWER_READ_LIMIT = 4096;
export const USER_AGENT = 'ots-server-webhooks';

export interface PostResult {
  ok: boolean;
  /** The answer's status, when one came. */
  status?: number;
  /** Why it failed without an answer: a timeout or a network error code, never the URL, payload or secret. */
  error?: string;
}

/** One connection pool per scheme for every endpoint: a receiver that keeps connections alive is not dialled anew. */
// Idle sockets go after 4 s, before the 5 s most servers (Node's default) wait: a post never meets a socket just closed.
const IDLE = { keepAlive: true, timeout: 4_000 };
const AGENTS = { 'http:': new http.Agent(IDLE), 'https:': new https.Agent(IDLE) };

/** Posts `body` as JSON to `url` with `headers`; resolves with what happened within `timeoutMs`. */
export function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ ok: false, error: 'invalid URL' });
    }
    const scheme = target.protocol === 'https:' ? 'https:' : target.protocol === 'http:' ? 'http:' : undefined;
    if (!scheme) return resolve({ ok: false, error: 'not an http or https URL' });
    let status: number | undefined;
    let timedOut = false;
    const done = (result: PostResult) => {
      clearTimeout(timer);
      resolve(result);
    };
    const request = (scheme === 'https:' ? https : http).request(target, {
      method: 'POST',
      agent: AGENTS[scheme],
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT, 'content-length': Buffer.byteLength(body) },
    });
    // The whole exchange is bounded: connecting, sending, and the answer's status (a stalled body after it changes nothing).
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, timeoutMs);
    request.on('response', (response) => {
      status = response.statusCode ?? 0;
      let read = 0;
      const finish = () => done({ ok: status! >= 200 && status! < 300, status });
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        // Enough: the rest is dropped with the connection (it cannot be reused half-read).
        if (read >= ANSWER_READ_LIMIT) {
          response.destroy();
          finish();
        }
      });
      response.on('end', finish);
      response.on('error', finish);
      response.on('close', finish);
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (status !== undefined) return done({ ok: status >= 200 && status < 300, status });
      done({ ok: false, error: timedOut ? `timeout after ${timeoutMs} ms` : safeCode(err) });
    });
    request.end(body);
  });
}

/** An error's safe name: a system error code, never a message (it can hold the host or the URL). */
function safeCode(err: NodeJS.ErrnoException): string {
  return typeof err.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(err.code) ? err.code : 'network error';
}
