// Language choice: `?locale=` wins, else the best match in Accept-Language, else English.
import { en, type Catalogue } from './en.js';
import { nl } from './nl.js';

export type { Catalogue };
export const CATALOGUES = { en, nl } as const;
export type Locale = keyof typeof CATALOGUES;
export const DEFAULT_LOCALE: Locale = 'en';

function supported(tag: string): Locale | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return Object.hasOwn(CATALOGUES, primary) ? (primary as Locale) : undefined;
}

/** The supported language the Accept-Language header prefers most (q-values honoured, ties in header order). */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...params] = entry.split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((e) => e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return undefined;
}

export interface LocaleChoice {
  locale: Locale;
  /** True when chosen by `?locale=`: links and forms carry it on, so the choice sticks across pages. */
  explicit: boolean;
}

export function chooseLocale(queryLocale: string | undefined, acceptLanguage: string | undefined): LocaleChoice {
  const fromQuery = queryLocale === undefined ? undefined : supported(queryLocale);
  if (fromQuery) return { locale: fromQuery, explicit: true };
  return { locale: fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE, explicit: false };
}

/** Seconds as the largest unit and, when not zero, the next one: "6 days 23 hours", "5 minutes". */
export function formatDuration(totalSeconds: number, t: Catalogue): string {
  const units: [number, (n: number) => string][] = [
    [86_400, t.days],
    [3600, t.hours],
    [60, t.minutes],
    [1, t.seconds],
  ];
  const rest = Math.max(0, Math.floor(totalSeconds));
  const first = units.findIndex(([size]) => rest >= size);
  if (first === -1) return t.seconds(0);
  const [size, word] = units[first]!;
  const parts = [word(Math.floor(rest / size))];
  const next = units[first + 1];
  if (next && Math.floor((rest % size) / next[0]) > 0) parts.push(next[1](Math.floor((rest % size) / next[0])));
  return parts.join(' ');
}
