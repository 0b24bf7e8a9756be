// One webhook post, kept on a short leash: a bounded time, no redirect followed (a receiver cannot send our signed
// body elsewhere), a few KB of the answer read at most, and only a 2xx counts. It never throws.

/** How much of an answer is read before the rest is cancelled: receivers owe us nothing but a status. */
export const ANSWER_READ_LIMIT = 4096;
export const USER_AGENT = 'ots-server-webhooks';

export interface PostResult {
  ok: boolean;
  /** The answer's status, when one came. */
  status?: number;
  /** Why it failed without an answer: a timeout or a network error code, never the URL, payload or secret. */
  error?: string;
}

/** Posts `body` as JSON to `url` with `headers`; resolves with what happened within `timeoutMs`. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, error: failureOf(err, timeoutMs) };
  }
  await readSome(response);
  return { ok: response.status >= 200 && response.status < 300, status: response.status };
}

/** Reads up to ANSWER_READ_LIMIT bytes so the connection can be reused, then drops the rest. */
async function readSome(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  let read = 0;
  try {
    while (read < ANSWER_READ_LIMIT) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A stalled or broken answer changes nothing: the status already came.
  }
}

/** An error's safe name: fetch's messages can hold the URL (a query string may carry a receiver's token). */
function failureOf(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: unknown; name?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
  const code = e.cause?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return code;
  return 'network error';
}
