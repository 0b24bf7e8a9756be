// Plain HTTP against a listening server, as a client or an orchestrator's probe sees it, with each call timed.
import { expect } from 'vitest';

export interface Reply {
  status: number;
  /** X-OTS-Intended-Status, on errors. */
  intended: string | undefined;
  body: Record<string, unknown>;
  /** Milliseconds from sending to the full response. */
  ms: number;
}

export const BACK_SHORTLY = "We'll be back shortly!";

export async function call(origin: string, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Reply> {
  const started = performance.now();
  const res = await fetch(`${origin}${path}`, { method, ...(form ? { body: new URLSearchParams(form) } : {}) });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, intended: res.headers.get('x-ots-intended-status') ?? undefined, body, ms: performance.now() - started };
}

export async function share(origin: string, secret: string, extra: Record<string, string> = {}) {
  const reply = await call(origin, 'POST', '/api/v1/share', { secret, ...extra });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body as { secret_key: string; metadata_key: string };
}

export const reveal = (origin: string, secretKey: string, form?: Record<string, string>) =>
  call(origin, 'POST', `/api/v1/secret/${secretKey}`, form);

export const burn = (origin: string, metadataKey: string) => call(origin, 'POST', `/api/v1/private/${metadataKey}/burn`);

/** The contract's store-unavailable answer: compat 404, intended 503, the exact message. */
export function expectBackShortly(reply: Reply): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(404);
  expect(reply.intended).toBe('503');
  expect(reply.body).toEqual({ message: BACK_SHORTLY });
}
