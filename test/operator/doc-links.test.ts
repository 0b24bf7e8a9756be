// The README is a landing page that links into docs/: every relative link in README.md, SECURITY.md and docs/*.md
// must name a file that exists (and a heading that exists, when it names one), and every folder of src/ says what
// lives there (a README.md, or a header comment in its index.ts).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';

const DOCS = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Markdown outside fenced code blocks, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** GitHub's anchor for each heading of a file (lower case, punctuation dropped, spaces to hyphens, repeats numbered). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const all = new Set<string>();
  for (const [, text] of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = text!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    all.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return all;
}

/** [text](target) and ![alt](target) links that are not URLs. */
function relativeLinks(markdown: string): string[] {
  const targets = [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

describe('links in the documentation', () => {
  it.each(DOCS)('%s: every relative link names a file (and heading) that exists', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const broken: string[] = [];
    for (const link of relativeLinks(text)) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? join(ROOT, doc) : join(ROOT, dirname(doc), decodeURIComponent(path));
      if (!existsSync(target)) broken.push(`${link} (no ${relative(ROOT, target)})`);
      else if (anchor && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${link} (no heading #${anchor} in ${relative(ROOT, target)})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the links it checks (a README without relative links would pass trivially)', () => {
    const links = relativeLinks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(links).toContain('docs/deployment.md');
    expect(links.some((l) => l.startsWith('#'))).toBe(true);
  });
});

describe('folders of src/', () => {
  const folders = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(ROOT, 'src', p)).isDirectory())
    .filter((p) => p.split('/').length === 1 || p.startsWith('api/'))
    .map((p) => `src/${p}`);

  it.each(folders)('%s says what lives there (README.md, or a header comment in index.ts)', (folder) => {
    const readme = join(ROOT, folder, 'README.md');
    const index = join(ROOT, folder, 'index.ts');
    const says = existsSync(readme) || (existsSync(index) && readFileSync(index, 'utf8').startsWith('//'));
    expect(says, `${folder} has neither a README.md nor an index.ts that starts with a comment`).toBe(true);
  });
});
