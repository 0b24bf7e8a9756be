// An incoming secret's memo as upstream cleans it (docs/contracts/ots-incoming-api.md §3.3): never an error.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x') || lower.startsWith('#')) {
      const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[lower] ?? whole;
  });
}

/** Upstream's hard pre-cut, before the configured limit. */
const PRE_CUT = 500;

/** Tags stripped and entities decoded until stable, trimmed, whitespace collapsed, cut to `max` characters. */
export function cleanMemo(raw: string | undefined, max: number): string {
  let text = raw ?? '';
  // Bounded: each round only shortens or decodes; a few rounds reach the fixed point of any real input.
  for (let round = 0; round < 10; round++) {
    const next = decodeEntities(text.replace(/<[^>]*>/g, ''));
    if (next === text) break;
    text = next;
  }
  text = text.trim().replace(/\s+/g, ' ');
  // Cut by code points, so an emoji counts as one and is never split.
  return [...[...text].slice(0, PRE_CUT).join('')].slice(0, max).join('').trim();
}
