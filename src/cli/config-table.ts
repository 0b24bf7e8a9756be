// The README's configuration table, written from `settings` in config.ts so the two cannot drift apart.
import { settings } from '../config.js';

export const TABLE_START = '<!-- config-table:start -->';
export const TABLE_END = '<!-- config-table:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** One Markdown row per setting, in the order config.ts declares them: variable, default, meaning. */
export function renderConfigTable(): string {
  const rows = Object.values(settings).map((s) => {
    const def = s.default === undefined ? '' : ` \`${cell(s.default)}\` `;
    return `| \`${s.env}\` |${def || ' '}| ${cell(s.doc)} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The table currently between the README's markers, or undefined when the markers are missing. */
export function readConfigTable(readme: string): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + TABLE_START.length, end).trim();
}

/** The README with a fresh table between the markers. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}
