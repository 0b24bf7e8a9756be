import { describe, expect, it } from 'vitest';
import { isEmail, obfuscateEmail } from '../../src/domain/recipient.js';

describe('recipient addresses', () => {
  it.each([
    ['john@mail.org', 'jo*****@m*****.org'],
    ['a@b.co', 'a*****@b*****.co'],
    ['someone@mail.example.com', 'so*****@m*****.com'],
    ['odd@name@host.net', 'od*****@h*****.net'],
  ])('%s is shown as %s', (address, shown) => {
    expect(obfuscateEmail(address)).toBe(shown);
  });

  it('never shows a value without an @', () => {
    expect(obfuscateEmail('not-an-address')).toBe('*****');
    expect(obfuscateEmail('@host.org')).toBe('*****');
  });

  it('are recognised as addresses only when they look like one', () => {
    expect(isEmail('john@mail.org')).toBe(true);
    for (const bad of ['john', 'john@', '@mail.org', 'john@mail', 'jo hn@mail.org', `${'a'.repeat(250)}@b.co`]) {
      expect(isEmail(bad), bad).toBe(false);
    }
  });
});
