import { describe, expect, it } from 'vitest';
import { generatePassword, PASSWORD_DEFAULT_LENGTH, PASSWORD_MAX_LENGTH, passwordLength } from '../../src/domain/password.js';

const CLASSES = { lower: /[a-z]/, upper: /[A-Z]/, digit: /[0-9]/, symbol: /[^a-zA-Z0-9]/ };
const LOOK_ALIKES = /[ilo1IO0]/;

describe('generated passwords', () => {
  it('default to 12 characters and allow at most 128', () => {
    expect(PASSWORD_DEFAULT_LENGTH).toBe(12);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
    expect(passwordLength(undefined)).toBe(12);
    expect(passwordLength('20')).toBe(20);
    expect(passwordLength('128')).toBe(128);
    expect(passwordLength('129')).toBe(128);
    expect(passwordLength('100000')).toBe(128);
    expect(passwordLength('abc')).toBe(12);
  });

  it('are long enough for one character of each class', () => {
    expect(passwordLength('0')).toBe(4);
    expect(passwordLength('1')).toBe(4);
  });

  it.each([4, 12, 128])('of length %i have that length and every class', (length) => {
    for (let i = 0; i < 200; i++) {
      const pw = generatePassword(length);
      expect(pw).toHaveLength(length);
      for (const [name, re] of Object.entries(CLASSES)) expect(re.test(pw), `${name} in ${pw}`).toBe(true);
    }
  });

  it('never contain the look-alikes i l o 1 I O 0, nor whitespace', () => {
    const sample = Array.from({ length: 2000 }, () => generatePassword(32)).join('');
    expect(sample).not.toMatch(LOOK_ALIKES);
    expect(sample).not.toMatch(/\s/);
  });

  it('differ every time', () => {
    const passwords = new Set(Array.from({ length: 500 }, () => generatePassword(12)));
    expect(passwords.size).toBe(500);
  });
});
