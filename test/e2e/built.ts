// The compiled program, as users run it: builds dist/ when it is older than src/ (once per run, under a
// cross-process lock so parallel test files never compile over each other) and runs its scripts as child processes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
export const DIST = join(ROOT, 'dist');
const LOCK = join(tmpdir(), `ots-server-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
const STALE_LOCK_MS = 120_000;

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** True when some src/x.ts has no dist/x.js or is newer than it. */
function distIsStale(): boolean {
  for (const source of sources(SRC)) {
    const output = join(DIST, relative(SRC, source).replace(/\.ts$/, '.js'));
    const built = mtime(output);
    if (built === undefined || built < mtime(source)!) return true;
  }
  return false;
}

/** Runs fn while holding a lock directory shared by every test process of this checkout. */
export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (mtime(LOCK) ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true }); // left by a killed run
      else await delay(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function ensureBuilt(): Promise<void> {
  await withBuildLock(async () => {
    if (!distIsStale()) return;
    // --noEmitOnError: a failed build leaves dist/ stale, so the next test file tries again instead of running it.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noEmitOnError'], {});
    if (result.code !== 0) throw new Error(`build (tsc -p tsconfig.build.json) failed:\n${result.stdout}${result.stderr}`);
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment: PATH and HOME only, plus what the test gives (so a developer's REDIS_URL never leaks in). */
export function cleanEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...env };
}

/** Runs a program to completion; never rejects on a non-zero exit. */
export function run(file: string, args: string[], env: Record<string, string>, timeout = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, env: cleanEnv(env), timeout, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      if (typeof code !== 'number') return reject(err ?? new Error('no exit code'));
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a compiled script (path relative to dist/) with node. */
export function runBuilt(script: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return run(process.execPath, [join(DIST, script), ...args], env);
}
