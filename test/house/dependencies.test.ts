// The house's rule on libraries (docs/architecture.md): a runtime dependency in package.json that nothing in src/
// imports is removed, so the package list says what the server is built on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('runtime dependencies', () => {
  it('are each imported by some file of src/', () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set(
      sources(join(ROOT, 'src')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'((?:@[^/']+\/)?[^/.'][^/']*)/g)].map((m) => m[1]!),
      ),
    );
    expect(Object.keys(dependencies).filter((name) => !imported.has(name))).toEqual([]);
  });
});
