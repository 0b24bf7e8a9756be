import { randomInt } from 'node:crypto';

// Without the look-alikes i l o 1 I O 0.
const SETS = {
  lowercase: 'abcdefghjkmnpqrstuvwxyz',
  uppercase: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  numbers: '23456789',
  symbols: '!@#$%^&*()-_=+[]{};:,.?/~',
} as const;
const LOOK_ALIKES = { lowercase: 'ilo', uppercase: 'IO', numbers: '10', symbols: '' } as const;

export type CharacterSet = keyof typeof SETS;
/** Which sets a generated password draws on (all by default), and whether look-alikes stay out (by default). */
export type CharacterSets = Partial<Record<CharacterSet | 'exclude_ambiguous', boolean>>;

export const PASSWORD_DEFAULT_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** v1's `length` parameter of /generate: default 12, silently kept between 4 (one of each class) and 128. */
export function passwordLength(raw: string | undefined): number {
  if (raw === undefined) return PASSWORD_DEFAULT_LENGTH;
  const match = /^\s*(\d+)/.exec(raw);
  const n = match ? Number(match[1]) : PASSWORD_DEFAULT_LENGTH;
  return Math.max(Object.keys(SETS).length, Math.min(n, PASSWORD_MAX_LENGTH));
}

function classesOf(sets: CharacterSets): string[] {
  const chosen = (Object.keys(SETS) as CharacterSet[]).filter((name) => sets[name] !== false);
  // Every set switched off: the safe default alphabet (all of them).
  const names = chosen.length > 0 ? chosen : (Object.keys(SETS) as CharacterSet[]);
  const ambiguous = sets.exclude_ambiguous === false;
  return names.map((name) => (ambiguous ? SETS[name] + LOOK_ALIKES[name] : SETS[name]));
}

/**
 * A random password of at least `length` characters (and at least one per class): one character of each chosen
 * class, the rest from all of them, in random order.
 */
export function generatePassword(length: number, sets: CharacterSets = {}): string {
  const classes = classesOf(sets);
  const all = classes.join('');
  const chars = classes.map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
