// A strict application/x-www-form-urlencoded parser for query strings and form bodies. Common parsers silently
// keep or replace malformed percent-encoding; a secret must be kept byte for byte, so invalid UTF-8 is refused.

export type UrlEncoded = Record<string, string | string[]>;

/** Set on a parsed query string that was malformed; the params hook turns it into a contract error. */
export const MALFORMED = Symbol('malformed');

export class MalformedEncodingError extends Error {}

function decode(component: string): string {
  try {
    return decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw new MalformedEncodingError('malformed percent-encoding or invalid UTF-8');
  }
}

/** Parses `a=1&b=2&b=3`; repeated names become arrays. Throws MalformedEncodingError on bad input. */
export function parseUrlEncoded(text: string): UrlEncoded {
  const out: UrlEncoded = Object.create(null);
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** For Fastify's querystringParser, which must not throw: a malformed query is flagged instead. */
export function parseQueryString(text: string): UrlEncoded & { [MALFORMED]?: true } {
  try {
    return parseUrlEncoded(text);
  } catch {
    return { [MALFORMED]: true } as UrlEncoded & { [MALFORMED]?: true };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a request body, refusing bytes that are not UTF-8. */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new MalformedEncodingError('body is not valid UTF-8');
  }
}
