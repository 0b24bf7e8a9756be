// The recipes of docs/use-in-your-tests.md, run as their users run them: pytest, `go test` and minitest each start
// the built `ots-server --control` and drive it over HTTP (the vitest recipe, vitest/ots-double.test.ts, runs in this
// suite directly). A missing toolchain fails with the package to install, never a silent skip. The doc shows each
// file exactly as it is here.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, DIST, ensureBuilt, ROOT } from '../e2e/built.js';

const HERE = join(ROOT, 'test', 'recipes');
const TIMEOUT_MS = 240_000; // a cold `go test` compiles net/http on two cores

interface Ran {
  code: number | string;
  output: string;
}

function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  const serverCommand = `${process.execPath} ${join(DIST, 'cli', 'ots-server.js')}`;
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: cleanEnv({ OTS_SERVER: serverCommand, ...env }), timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number | string }).code ?? 'killed') : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Fails with how to install what is missing when `probe` does not run. */
async function requireTool(probe: [string, string[]], install: string): Promise<void> {
  const ran = await run(probe[0], probe[1], HERE);
  if (ran.code !== 0) throw new Error(`${probe[0]} cannot run the recipe (${String(ran.code)}): install it with ${install}\n${ran.output}`);
}

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'; // Debian's, where apt installs pytest

describe('the recipes of docs/use-in-your-tests.md', () => {
  beforeAll(ensureBuilt);

  it('pytest + requests', { timeout: TIMEOUT_MS }, async () => {
    await requireTool([PYTHON, ['-c', 'import pytest, requests']], 'apt-get install python3-pytest python3-requests');
    // No cache or bytecode files left in the tree.
    const ran = await run(PYTHON, ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', 'python/test_ots_double.py'], HERE, { PYTHONDONTWRITEBYTECODE: '1' });
    expect(ran.code, ran.output).toBe(0);
    expect(ran.output).toMatch(/ 4 passed/);
    console.log(`recipe pytest: ${/\d+ passed in [\d.]+s/.exec(ran.output)![0]}`);
  });

  it("Go's testing + net/http", { timeout: TIMEOUT_MS }, async () => {
    await requireTool(['go', ['version']], 'apt-get install golang-go');
    const env = { GOPROXY: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
    const ran = await run('go', ['test', '-count=1', '-v', './...'], join(HERE, 'go'), env);
    expect(ran.code, ran.output).toBe(0);
    expect(ran.output.match(/^--- PASS/gm)).toHaveLength(4);
    console.log(`recipe go test: 4 PASS, ${/^ok\s.*/m.exec(ran.output)![0]}`);
  });

  it('minitest + net/http (Ruby)', { timeout: TIMEOUT_MS }, async () => {
    await requireTool(['ruby', ['-e', 'require "minitest/autorun"']], 'apt-get install ruby ruby-minitest');
    const ran = await run('ruby', ['ruby/ots_double_test.rb'], HERE);
    expect(ran.code, ran.output).toBe(0);
    expect(ran.output).toMatch(/4 runs, \d+ assertions, 0 failures, 0 errors, 0 skips/);
    console.log(`recipe minitest: ${/4 runs.*/.exec(ran.output)![0]}`);
  });

  it('the doc shows every recipe exactly as it runs here', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'use-in-your-tests.md'), 'utf8');
    const recipes = {
      'python/test_ots_double.py': (s: string) => s,
      'go/ots_double_test.go': (s: string) => s,
      'ruby/ots_double_test.rb': (s: string) => s,
      // Users import the package by its name.
      'vitest/ots-double.test.ts': (s: string) => s.replace("'../../../src/index.js'", "'ots-server'"),
    };
    for (const [file, asUsers] of Object.entries(recipes)) {
      expect(doc, file).toContain(asUsers(readFileSync(join(HERE, file), 'utf8')).trim());
    }
  });
});
