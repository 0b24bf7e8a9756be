import { randomInt } from 'node:crypto';

// Without the look-alikes i l o 1 I O 0.
const CLASSES = ['abcdefghjkmnpqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '!@#$%^&*()-_=+[]{};:,.?/~'];
const ALL = CLASSES.join('');

export const PASSWORD_DEFAULT_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** Parses the `length` parameter of /generate: default 12, between 4 (one of each class) and 128. */
export function passwordLength(raw: string | undefined): number {
  if (raw === undefined) return PASSWORD_DEFAULT_LENGTH;
  const match = /^\s*(\d+)/.exec(raw);
  const n = match ? Number(match[1]) : PASSWORD_DEFAULT_LENGTH;
  return Math.max(CLASSES.length, Math.min(n, PASSWORD_MAX_LENGTH));
}

/** A random password with at least one character of each class, in random order. */
export function generatePassword(length: number): string {
  const chars = CLASSES.map((set) => set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(ALL[randomInt(ALL.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
