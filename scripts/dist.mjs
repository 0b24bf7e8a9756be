// dist/ (the compiled server) is built from src/ only when it is missing or older than its sources, so `npm start`
// starts at once and never rewrites the files of a server already running from dist/, and admin commands never build.
//   node scripts/dist.mjs build-if-stale   prestart: builds under a lock shared by every process of this checkout
//   … build-if-stale --warn-on-error       prepare: the same, but a failed build only warns, so `npm ci` still installs
//                                          (and CI reports a type error as such); dist/ stays stale, npm start retries
//   node scripts/dist.mjs check            preadmin: never builds; fails when dist/ is missing, warns when it is stale
// Plain JavaScript on purpose: it runs before anything is compiled, with no dependency but TypeScript when it builds.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STALE_LOCK_MS = 120_000; // a lock this old was left by a killed build

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function* sources(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** 'missing' without dist/server.js; 'stale' when a src/x.ts has no dist/x.js or is newer, or a tsconfig is; else 'fresh'. */
export function distState(root = ROOT) {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  const server = mtime(join(dist, 'server.js'));
  if (server === undefined) return 'missing';
  for (const config of ['tsconfig.json', 'tsconfig.build.json']) {
    if ((mtime(join(root, config)) ?? 0) > server) return 'stale';
  }
  for (const source of sources(src)) {
    const built = mtime(join(dist, relative(src, source).replace(/\.ts$/, '.js')));
    if (built === undefined || built < mtime(source)) return 'stale';
  }
  return 'fresh';
}

/** Runs fn while holding a lock directory shared by every process of this checkout (parallel tests, two starts). */
async function withBuildLock(root, fn) {
  const lock = join(tmpdir(), `ots-server-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (Date.now() - (mtime(lock) ?? Date.now()) > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await delay(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function compile(root) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    return Promise.reject(new Error('cannot build dist/: TypeScript is not installed (run `npm ci` with dev dependencies)'));
  }
  // --noEmitOnError: a failed build leaves dist/ stale, so the next start tries again instead of running it.
  const args = [tsc, '-p', 'tsconfig.build.json', '--noEmitOnError'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`build (tsc -p tsconfig.build.json) failed:\n${output}`));
    });
  });
}

/** Builds dist/ unless it is fresh; resolves to true when it built. onBuild hears why, before tsc runs. */
export async function ensureBuilt({ root = ROOT, onBuild = () => {} } = {}) {
  if (distState(root) === 'fresh') return false; // the common case takes no lock
  return withBuildLock(root, async () => {
    const state = distState(root); // another process may have built it while this one waited
    if (state === 'fresh') return false;
    onBuild(state);
    await compile(root);
    return true;
  });
}

const say = (line) => process.stderr.write(`ots-server: ${line}\n`);
const BUILD_HINT = { missing: 'dist/ is missing', stale: 'dist/ is older than src/' };

async function main(command, flag) {
  if (command === 'build-if-stale') {
    try {
      await ensureBuilt({ onBuild: (state) => say(`${BUILD_HINT[state]}: building (tsc -p tsconfig.build.json)`) });
    } catch (err) {
      if (flag !== '--warn-on-error') throw err;
      say(`${err.message}\nots-server: dist/ was not updated; npm start builds it again`);
    }
    return 0;
  }
  if (command === 'check') {
    const state = distState();
    if (state === 'missing') {
      say('dist/ is missing: run `npm run build` first');
      return 1;
    }
    if (state === 'stale') say('dist/ is older than src/: running the existing build (`npm run build` to update it)');
    return 0;
  }
  say('usage: node scripts/dist.mjs build-if-stale [--warn-on-error] | check');
  return 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv[2], process.argv[3]).then(
    (code) => (process.exitCode = code),
    (err) => {
      say(err.message);
      process.exitCode = 1;
    },
  );
}
