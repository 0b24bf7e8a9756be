// Response headers of every page and its assets, on top of those every response carries
// (plugins/security-headers.ts): a strict CSP (no inline script or style), no referrer (keys live in URLs), no
// indexing, no framing, and no caching of pages that may show a secret or a receipt.
import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function setPageSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
}

/** Sends a rendered page. Every page is no-store: secret, receipt and form pages may hold keys or typed text. */
export function sendHtml(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return setPageSecurityHeaders(reply)
    .code(status)
    .headers({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      Vary: 'Accept-Language',
    })
    .send(page.value);
}
