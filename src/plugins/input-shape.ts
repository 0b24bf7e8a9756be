// Bounds on the shape of parsed input, checked before anything walks it recursively: nesting depth and key count
// (deep input overflowed the stack), and text that is valid Unicode (a lone UTF-16 surrogate from a JSON `\ud800`
// escape would be stored as U+FFFD: not what was sent, and two different passphrases would open each other).
import { errors } from '../domain/errors.js';

/** Deepest nesting of objects and arrays accepted; the contract's deepest payload is 3 (`secret.character_sets.x`). */
export const MAX_DEPTH = 32;
/** Most keys and array items accepted in one request's input, all levels together. */
export const MAX_KEYS = 1000;

const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Checks parsed JSON without recursion: too deep or too many keys is a malformed body; a string (or key) that is
 * not well-formed Unicode is refused naming its field (the nearest key).
 */
export function checkJsonShape(value: unknown): void {
  const stack: { value: unknown; depth: number; field: string }[] = [{ value, depth: 0, field: '' }];
  let keys = 0;
  while (stack.length > 0) {
    const { value: v, depth, field } = stack.pop()!;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) throw errors.illFormedText(field);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_DEPTH) throw errors.malformedBody();
    const entries = Array.isArray(v) ? v.map((item): [string, unknown] => [field, item]) : Object.entries(v);
    keys += entries.length;
    if (keys > MAX_KEYS) throw errors.malformedBody();
    for (const [key, item] of entries) {
      if (!isWellFormed(key)) throw errors.illFormedText(field);
      stack.push({ value: item, depth: depth + 1, field: key });
    }
  }
}

/** Checks a Rack-style form key's nesting (`a[b][c]` is depth 2) and the number of keys, before they are nested. */
export function checkFormShape(keys: readonly string[]): void {
  if (keys.length > MAX_KEYS) throw errors.malformedBody();
  for (const key of keys) {
    let depth = 0;
    for (let i = key.indexOf('['); i !== -1; i = key.indexOf('[', i + 1)) {
      if (++depth > MAX_DEPTH) throw errors.malformedBody();
    }
  }
}
