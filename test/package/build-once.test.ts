// Build once: `npm ci` builds dist/ (prepare), `npm start` builds only when dist/ is missing or older than src/, and
// `npm run admin` never builds, so neither rewrites dist/ under a server running from it. Each runs in a copy of the
// checkout (sources, scripts, package.json; node_modules linked), so edits in the real src/ cannot touch it.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distState } from '../../scripts/dist.mjs';
import { cleanEnv, ROOT } from '../e2e/built.js';

const BUILD_TIMEOUT = 180_000; // tsc on a loaded 2-core machine

function copyOfCheckout(parts: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ots-build-once-'));
  for (const part of parts) cpSync(join(ROOT, part), join(dir, part), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Every file under dir with its mtime: tsc rewrites each output, so an unchanged map means no build ran. */
function mtimes(dir: string): Map<string, number> {
  const all = new Map<string, number>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) all.set(join(entry.parentPath, entry.name), statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return all;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function npm(cwd: string, args: string[]): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: cleanEnv({}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `npm start` on a free loopback port until the server says it listens and answers /health; then SIGTERM. */
function npmStart(cwd: string): Promise<{ stderr: string; health: number }> {
  return new Promise((resolve, reject) => {
    // Its own process group: npm, its shell and the server all get the SIGTERM.
    const child = spawn('npm', ['start'], { cwd, env: cleanEnv({ HOST: '127.0.0.1', PORT: '0' }), detached: true });
    let stderr = '';
    let health = 0;
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', () => resolve({ stderr, health }));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const origin = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (!origin) return;
      fetch(`${origin}/health`)
        .then((res) => (health = res.status))
        .finally(() => process.kill(-child.pid!, 'SIGTERM'));
    });
  });
}

describe('build once', () => {
  let checkout: string;

  beforeAll(async () => {
    checkout = copyOfCheckout(['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src']);
    // What `npm ci` runs once the dependencies are in: a fresh clone has no dist/ yet.
    const prepare = await npm(checkout, ['run', '--silent', 'prepare']);
    expect(prepare.code, prepare.stderr).toBe(0);
    expect(prepare.stderr).toContain('dist/ is missing: building');
    expect(distState(checkout)).toBe('fresh');
  }, BUILD_TIMEOUT);
  afterAll(() => {
    if (checkout) rmSync(checkout, { recursive: true, force: true });
  });

  it('npm start with an up-to-date dist/ starts without building (no file of dist/ rewritten)', async () => {
    const before = mtimes(join(checkout, 'dist'));
    const started = await npmStart(checkout);
    expect(started.health).toBe(200);
    expect(started.stderr).not.toContain('building');
    expect(mtimes(join(checkout, 'dist'))).toEqual(before);
  });

  it('npm run admin -- --help never builds', async () => {
    const before = mtimes(join(checkout, 'dist'));
    const help = await npm(checkout, ['run', '--silent', 'admin', '--', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout + help.stderr).toContain('Usage: npm run --silent admin -- <command>');
    expect(mtimes(join(checkout, 'dist'))).toEqual(before);
  });

  it('npm start after a source changed builds first, then starts', async () => {
    const now = new Date();
    utimesSync(join(checkout, 'src', 'server.ts'), now, now);
    expect(distState(checkout)).toBe('stale');
    const started = await npmStart(checkout);
    expect(started.stderr).toContain('dist/ is older than src/: building');
    expect(started.health).toBe(200);
    expect(distState(checkout)).toBe('fresh');
  }, BUILD_TIMEOUT);
});

describe('without a build', () => {
  it('npm run admin says to run npm run build, and builds nothing', async () => {
    const checkout = copyOfCheckout(['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src']);
    try {
      const admin = await npm(checkout, ['run', '--silent', 'admin', '--', '--help']);
      expect(admin.code).not.toBe(0);
      expect(admin.stderr).toContain('dist/ is missing: run `npm run build` first');
      expect(existsSync(join(checkout, 'dist'))).toBe(false);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('prepare warns of sources that do not compile but lets npm ci finish; npm start then fails with the error', async () => {
    const checkout = copyOfCheckout(['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src']);
    try {
      writeFileSync(join(checkout, 'src', 'does-not-compile.ts'), "export const n: number = 'not a number';\n");
      const prepare = await npm(checkout, ['run', '--silent', 'prepare']);
      expect(prepare.code, prepare.stderr).toBe(0);
      expect(prepare.stderr).toContain('does-not-compile.ts');
      expect(prepare.stderr).toContain('dist/ was not updated; npm start builds it again');
      expect(existsSync(join(checkout, 'dist'))).toBe(false);
      const start = await npm(checkout, ['start']);
      expect(start.code).not.toBe(0);
      expect(start.stderr).toContain('does-not-compile.ts');
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  }, BUILD_TIMEOUT);

  it("prepare does nothing before the sources are there (docker/Dockerfile runs npm ci before it copies src/)", async () => {
    const checkout = copyOfCheckout(['package.json']);
    try {
      const prepare = await npm(checkout, ['run', '--silent', 'prepare']);
      expect(prepare.code, prepare.stderr).toBe(0);
      expect(existsSync(join(checkout, 'dist'))).toBe(false);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
