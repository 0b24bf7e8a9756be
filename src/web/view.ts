// What every page needs to know about the request: its language and how to link back into the site.
import type { FastifyRequest } from 'fastify';
import { basePath } from '../mount-under.js';
import { CATALOGUES, chooseLocale, type Catalogue, type Locale } from './i18n/index.js';

export interface View {
  t: Catalogue;
  locale: Locale;
  /** The language was chosen by `?locale=`: internal links and form actions keep it. */
  explicitLocale: boolean;
  /** The GET page this response belongs to, for the language links. */
  path: string;
  /** OTS_PUBLIC_URL's path (`/ots`, or `''`): every link and asset lives under it (sub-path hosting). */
  base: string;
}

function queryValue(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** The site's own GET page for this URL (a POST's result links to its form's page); anything else is the start page. */
function pagePath(url: string): string {
  const match = /^\/(secret|private)\/([0-9a-z]{1,64})(\/burn)?(\?|$)/.exec(url);
  return match ? `/${match[1]}/${match[2]}` : '/';
}

export function viewFor(req: FastifyRequest): View {
  const { locale, explicit } = chooseLocale(queryValue(req.query, 'locale'), req.headers['accept-language']);
  // req.url is the path under the base (mount-under.ts); links come only from the configured base, never the request.
  const base = basePath(req.server.ots.config.publicUrl);
  return { t: CATALOGUES[locale], locale, explicitLocale: explicit, path: pagePath(req.url), base };
}

/** An internal link, under the base path, that keeps an explicitly chosen language. */
export function href(view: View, path: string): string {
  return view.explicitLocale ? `${view.base}${path}?locale=${view.locale}` : `${view.base}${path}`;
}
