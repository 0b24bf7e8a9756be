// Styles, script and icon served by the server itself (instances run on private networks: no external assets).
// Names carry a content hash, so browsers may cache them forever and a new release is picked up at once.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { setPageSecurityHeaders } from './headers.js';
import { COPY_JS } from './static/copy.js';
import { ICON_SVG } from './static/icon.js';
import { STYLE_CSS } from './static/style.js';

interface Asset {
  body: string;
  type: string;
}

function hashedName(base: string, ext: string, body: string): string {
  return `${base}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`;
}

const files = {
  style: { name: hashedName('style', 'css', STYLE_CSS), body: STYLE_CSS, type: 'text/css; charset=utf-8' },
  script: { name: hashedName('copy', 'js', COPY_JS), body: COPY_JS, type: 'text/javascript; charset=utf-8' },
  icon: { name: hashedName('icon', 'svg', ICON_SVG), body: ICON_SVG, type: 'image/svg+xml' },
};

const byName = new Map<string, Asset>(Object.values(files).map((f) => [f.name, f]));

/** Paths the layout links to. */
export const assetPaths = {
  style: `/static/${files.style.name}`,
  script: `/static/${files.script.name}`,
  icon: `/static/${files.icon.name}`,
};

/** GET /static/:name; an unknown name falls through to the not-found page. */
export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { name: string } }>('/static/:name', { config: { rateClass: false, auth: 'none' } }, async (req, reply) => {
    const asset = byName.get(req.params.name);
    if (!asset) return reply.callNotFound();
    return setPageSecurityHeaders(reply)
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .type(asset.type)
      .send(asset.body);
  });
}
