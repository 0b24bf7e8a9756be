// Pure pieces of the web pages: escaping, language choice, durations, the two catalogues, expiry choices.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { escapeHtml, html } from '../../src/web/html.js';
import { en } from '../../src/web/i18n/en.js';
import { CATALOGUES, chooseLocale, formatDuration, fromAcceptLanguage } from '../../src/web/i18n/index.js';
import { nl } from '../../src/web/i18n/nl.js';
import { ttlChoices } from '../../src/web/ttl-choices.js';

describe('html escaping', () => {
  it('escapes every interpolated value unless it is already html', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(escapeHtml(evil)).toBe('&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;');
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(html`${false}${null}${undefined}${0}`.value).toBe('0');
  });
});

describe('language choice', () => {
  it('reads Accept-Language with q-values, regions and ties in header order', () => {
    expect(fromAcceptLanguage('nl-BE,nl;q=0.9,en;q=0.8')).toBe('nl');
    expect(fromAcceptLanguage('de-DE, en;q=0.5, nl;q=0.7')).toBe('nl');
    expect(fromAcceptLanguage('en, nl')).toBe('en');
    expect(fromAcceptLanguage('nl;q=0, en;q=0.1')).toBe('en');
    expect(fromAcceptLanguage('fr, de')).toBeUndefined();
    expect(fromAcceptLanguage('')).toBeUndefined();
    expect(fromAcceptLanguage('*')).toBeUndefined();
  });

  it('?locale= wins and is remembered as explicit; unknown ones fall back to the header, then English', () => {
    expect(chooseLocale('nl', 'en')).toEqual({ locale: 'nl', explicit: true });
    expect(chooseLocale('NL_nl', undefined)).toEqual({ locale: 'nl', explicit: true });
    expect(chooseLocale('xx', 'nl')).toEqual({ locale: 'nl', explicit: false });
    expect(chooseLocale(undefined, undefined)).toEqual({ locale: 'en', explicit: false });
    expect(chooseLocale('__proto__', undefined)).toEqual({ locale: 'en', explicit: false });
  });

  it('formats durations as the largest unit and the next one', () => {
    expect(formatDuration(604_800, en)).toBe('7 days');
    expect(formatDuration(604_799, en)).toBe('6 days 23 hours');
    expect(formatDuration(3600, en)).toBe('1 hour');
    expect(formatDuration(3661, en)).toBe('1 hour 1 minute');
    expect(formatDuration(59, en)).toBe('59 seconds');
    expect(formatDuration(0, en)).toBe('0 seconds');
    expect(formatDuration(-5, en)).toBe('0 seconds');
    expect(formatDuration(90_000, nl)).toBe('1 dag 1 uur');
    expect(formatDuration(120, nl)).toBe('2 minuten');
  });
});

describe('catalogues', () => {
  /** Every leaf string of a catalogue, functions called with sample arguments. */
  function leaves(value: unknown, path = ''): [string, string][] {
    if (typeof value === 'string') return [[path, value]];
    if (typeof value === 'function') return [[path, String((value as (a: never) => string)(7 as never))]];
    return Object.entries(value as object).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }

  it('English and Dutch have the same keys, all filled, and differ where they should', () => {
    const enLeaves = new Map(leaves(en));
    const nlLeaves = new Map(leaves(nl));
    expect([...nlLeaves.keys()]).toEqual([...enLeaves.keys()]);
    for (const [key, text] of [...enLeaves, ...nlLeaves]) expect(text.trim(), key).not.toBe('');
    const same = [...enLeaves].filter(([key, text]) => nlLeaves.get(key) === text).map(([key]) => key);
    expect(same).toEqual([]);
    expect(Object.keys(CATALOGUES)).toEqual(['en', 'nl']);
  });
});

describe('WEB_TTL_CHOICES', () => {
  const base = { OTS_SECRET: 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00' };

  it('parses seconds and s/m/h/d units, sorted and distinct; the default fits the TTL limits', () => {
    expect(loadConfig({ ...base, WEB_TTL_CHOICES: '1h, 300,5m, 2d,90s' }).webTtlChoices).toEqual([90, 300, 3600, 172_800]);
    expect(loadConfig(base).webTtlChoices).toEqual([300, 3600, 86_400, 259_200, 604_800, 2_592_000]);
    expect(loadConfig({ ...base, TTL_MAX: '86400', TTL_MAX_ANONYMOUS: '3600' }).webTtlChoices).toEqual([300, 3600, 86_400]);
  });

  it('refuses bad entries and explicit choices outside TTL_MIN..TTL_MAX, with the reason', () => {
    expect(() => loadConfig({ ...base, WEB_TTL_CHOICES: '1h,soon' })).toThrow(/WEB_TTL_CHOICES entries must be durations.*"soon"/);
    expect(() => loadConfig({ ...base, WEB_TTL_CHOICES: ',' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, WEB_TTL_CHOICES: '30s,1h' })).toThrow(/WEB_TTL_CHOICES must lie within TTL_MIN and TTL_MAX.*got 30/);
    expect(() => loadConfig({ ...base, WEB_TTL_CHOICES: '31d' })).toThrow(/got 2678400/);
  });

  it('offers each visitor the choices within their limit, preselecting the default', () => {
    const config = { webTtlChoices: [300, 3600, 604_800, 2_592_000], ttlDefault: 604_800, ttlMaxAnonymous: 604_800, ttlMax: 2_592_000 };
    expect(ttlChoices(config, false)).toEqual({ choices: [300, 3600, 604_800], selected: 604_800 });
    expect(ttlChoices(config, true)).toEqual({ choices: [300, 3600, 604_800, 2_592_000], selected: 604_800 });
    expect(ttlChoices(config, true, '2592000').selected).toBe(2_592_000);
    expect(ttlChoices(config, false, '2592000').selected).toBe(604_800);
    expect(ttlChoices({ ...config, ttlDefault: 86_400 }, false).selected).toBe(3600);
    expect(ttlChoices({ ...config, webTtlChoices: [2_592_000] }, false)).toEqual({ choices: [604_800], selected: 604_800 });
  });
});
