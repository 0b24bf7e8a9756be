// The house's layering (docs/architecture.md): the domain imports nothing from the layers above it (store, api,
// plugins, web, auth, cli), the cross-cutting plugins nothing from the route tables, no module imports itself
// through others (no import cycles), and no source file grows past 350 lines.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/built.js';

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each source file (relative to src/) with the source files it imports (type-only imports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms),
      ...text.matchAll(/^import\s+'(\.[^']+)'/gm), // side-effect imports
    ].map((m) => m[1]!);
    const targets = specifiers.map((s) => relative(SRC, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

describe('layering', () => {
  const graph = importGraph();

  it('src/domain imports only the domain and crypto', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      file.startsWith('domain/') ? targets.filter((t) => !t.startsWith('domain/') && !t.startsWith('crypto/')).map((t) => `${file} → ${t}`) : [],
    );
    expect(upward).toEqual([]);
    expect([...graph.keys()].filter((f) => f.startsWith('domain/')).length).toBeGreaterThan(5);
  });

  it('src/plugins and src/rate-limit import nothing from src/api or src/web (each route table hands its shapes down)', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      /^(plugins|rate-limit)\//.test(file) ? targets.filter((t) => /^(api|web)\//.test(t)).map((t) => `${file} → ${t}`) : [],
    );
    expect(upward).toEqual([]);
  });

  it('no source file is over 350 lines', () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 350);
    expect(long).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
