// Small helpers for the web page tests: form posts as a browser sends them, and reading keys and values back
// out of the rendered HTML.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const FORM = 'application/x-www-form-urlencoded';

export function postForm(
  app: FastifyInstance,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': FORM, ...headers } });
}

/** The metadata key from the create form's 303 Location. */
export function receiptKeyFrom(location: string | string[] | number | undefined): string {
  const match = /^\/private\/([0-9a-z]{31})(\?|$)/.exec(String(location));
  if (!match) throw new Error(`not a receipt location: ${String(location)}`);
  return match[1]!;
}

/** The share link's secret key from a receipt page. */
export function shareKeyFrom(page: string): string {
  const match = /<textarea id="share-link"[^>]*>[^<]*\/secret\/([0-9a-z]{31})<\/textarea>/.exec(page);
  if (!match) throw new Error('no share link on the page');
  return match[1]!;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The revealed value as a browser reads it from the page's textarea (the first newline is the parser's). */
export function revealedValue(page: string): string {
  const match = /<textarea id="secret-value"[^>]*>\n([\s\S]*?)<\/textarea>/.exec(page);
  if (!match) throw new Error('no revealed value on the page');
  return match[1]!.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);
}

/** The text of the page's <main>, tags stripped, for assertions on what a reader sees. */
export function mainText(page: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(page)?.[1] ?? '';
  return main
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
