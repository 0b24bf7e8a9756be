// Helpers shared by the attack tests: contract-error assertions and small request builders.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

export const RATE_LIMITED = 'Rate limit exceeded. Please try again later.';

/** A well-formed key that nobody created: 31 characters of base36. */
export function randomKey(): string {
  let key = '';
  while (key.length < 31) key += BigInt(`0x${randomBytes(16).toString('hex')}`).toString(36);
  return key.slice(0, 31);
}

/** Asserts the contract's rate-limit refusal: compat 404, intended 429, exact message, a sane Retry-After. */
export function expectRateLimited(res: LightMyRequestResponse, windowSeconds: number): void {
  expect(res.statusCode).toBe(404);
  expect(res.headers['x-ots-intended-status']).toBe('429');
  expect(res.json()).toEqual({ message: RATE_LIMITED });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

/** The API's refusal (compat 404 + intended 429) or a web page's (a real 429). */
export function isRateLimited(res: LightMyRequestResponse): boolean {
  return res.headers['x-ots-intended-status'] === '429' || res.statusCode === 429;
}

/** POST /share from a given client address, optionally with extra headers. */
export function share(
  app: FastifyInstance,
  remoteAddress = '127.0.0.1',
  headers: Record<string, string> = {},
  url = '/api/v1/share',
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, remoteAddress, headers, payload: { secret: 'rate me' } });
}
