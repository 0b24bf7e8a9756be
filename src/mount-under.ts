// Sub-path hosting (docs/contracts/ots-v2-api.md §11.4): when OTS_PUBLIC_URL carries a path (`https://host/ots`),
// every route also answers under it. Requests are rewritten before routing, so each route, error shape and page
// sees its usual root path, and a proxy that strips the path reaches the same routes: both ways work.
import type { IncomingMessage } from 'node:http';

/** The path of the public URL, without a trailing slash: `''` for a bare origin, `/ots` for `https://host/ots/`. */
export function basePath(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

/** Fastify's `rewriteUrl` for the public URL's path: `/ots/x` → `/x`, `/ots` → `/`; other URLs are left alone. */
export function mountUnder(publicUrl: string): { rewriteUrl?: (req: IncomingMessage) => string } {
  const base = basePath(publicUrl);
  if (base === '') return {};
  return {
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      if (!url.startsWith(base)) return url;
      const rest = url.slice(base.length);
      if (rest === '' || rest.startsWith('?')) return `/${rest}`;
      return rest.startsWith('/') ? rest : url;
    },
  };
}
