// The compiled program, as users run it: builds dist/ when it is older than src/ (scripts/dist.mjs, as `npm start`
// does: once per run, under a cross-process lock so parallel test files never compile over each other) and runs its
// scripts as child processes.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt as buildIfStale, ROOT } from '../../scripts/dist.mjs';

export { ROOT };
export const DIST = join(ROOT, 'dist');

export async function ensureBuilt(): Promise<void> {
  await buildIfStale();
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
