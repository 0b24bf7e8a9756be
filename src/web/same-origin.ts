// Cross-site form posts are refused. Keys are capabilities, so a forged post gains little, but a browser that
// holds Basic credentials for an account would otherwise create or burn in that account's name.
// Sec-Fetch-Site (all current browsers) is the main signal. Origin is checked when it names a real origin. Our own
// Referrer-Policy no-referrer makes browsers send `Origin: null` on same-origin posts, but sandboxed frames and
// data: URLs send it too: "null" passes only beside `Sec-Fetch-Site: same-origin`, which those never send.
// Clients without either header (curl, scripts) are not browsers and carry no ambient credentials to abuse.
import type { FastifyRequest } from 'fastify';

export function isCrossSitePost(req: FastifyRequest, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined || origin === new URL(publicUrl).origin) return false;
  if (origin === 'null') return site !== 'same-origin';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}
