// The README's configuration table is generated from `settings` in src/config.ts; this fails when it is stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readConfigTable, renderConfigTable, TABLE_END, TABLE_START, withConfigTable } from '../../src/cli/config-table.js';
import { settings } from '../../src/config.js';
import { ROOT } from '../e2e/built.js';

const readme = readFileSync(`${ROOT}README.md`, 'utf8');

describe('README configuration table', () => {
  it('is the table generated from src/config.ts (run `npm run docs` after changing a setting)', () => {
    expect(readConfigTable(readme), `README.md has no ${TABLE_START} … ${TABLE_END} section`).toBeDefined();
    expect(readConfigTable(readme), 'README.md configuration table is out of date: run npm run docs').toBe(renderConfigTable());
  });

  it('has one row per setting with its variable, default and meaning', () => {
    const rows = renderConfigTable().split('\n').slice(2);
    const all = Object.values(settings);
    expect(rows).toHaveLength(all.length);
    const port = rows.find((r) => r.startsWith('| `PORT` |'));
    expect(port).toBe(`| \`PORT\` | \`7143\` | ${settings.port.doc} |`);
    // No default: an empty cell.
    expect(rows.find((r) => r.startsWith('| `SMTP_URL` |'))).toMatch(/^\| `SMTP_URL` \| \| SMTP server/);
  });

  it('rewrites only what lies between the markers', () => {
    const stale = `# Title\n\nbefore\n${TABLE_START}\n| old |\n${TABLE_END}\nafter\n`;
    expect(withConfigTable(stale)).toBe(`# Title\n\nbefore\n${TABLE_START}\n${renderConfigTable()}\n${TABLE_END}\nafter\n`);
    expect(() => withConfigTable('no markers')).toThrow(/lacks the/);
  });
});
