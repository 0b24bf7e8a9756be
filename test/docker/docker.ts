// The Docker engine as the tests in this folder drive it: the docker and compose commands, each step timed.
// These tests run only with OTS_TEST_DOCKER=1 (`.ci/run` sets it for its Docker stage, after starting dockerd);
// then a missing or broken engine fails them, it never skips them.
import { execFile } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../e2e/built.js';

export const DOCKER_TESTS = process.env.OTS_TEST_DOCKER === '1';

/** Base images and registry from the environment (docker/base-images.sh prints them); unset: the defaults. */
export const NODE_IMAGE = process.env.NODE_IMAGE;
export const REDIS_IMAGE = process.env.REDIS_IMAGE;
const NPM_REGISTRY = process.env.NPM_REGISTRY;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a command and fails with its output unless it exits 0; resolves with its stdout. */
export async function must(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await run(file, args, opts);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

export const docker = (...args: string[]) => must('docker', args);

/** `docker compose` (v2) when the plugin is there, else Debian's docker-compose (1.29); OTS_COMPOSE overrides. */
export async function composeCommand(): Promise<string[]> {
  if (process.env.OTS_COMPOSE) return process.env.OTS_COMPOSE.split(' ');
  return (await run('docker', ['compose', 'version'])).code === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

/** `--build-arg`s for docker build: the base image, npm registry and proxies the environment names, if any. */
export function buildArgs(): string[] {
  const { HTTP_PROXY, HTTPS_PROXY, NO_PROXY } = process.env;
  return Object.entries({ NODE_IMAGE, NPM_REGISTRY, HTTP_PROXY, HTTPS_PROXY, NO_PROXY }).flatMap(([name, value]) =>
    value ? ['--build-arg', `${name}=${value}`] : [],
  );
}

/** Logs `[docker] text` to stdout and, when OTS_DOCKER_TIMINGS names a file (.ci/run prints it), to it. */
export function note(text: string): void {
  process.stdout.write(`[docker] ${text}\n`);
  if (process.env.OTS_DOCKER_TIMINGS) appendFileSync(process.env.OTS_DOCKER_TIMINGS, `[docker] ${text}\n`);
}

/** Times fn and notes `name: 12.3 s`. */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    note(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** `docker inspect` of one object, parsed. */
export async function inspect<T = Record<string, unknown>>(id: string): Promise<T> {
  return (JSON.parse(await docker('inspect', id)) as T[])[0]!;
}

/** `docker build -f docker/Dockerfile -t ots-server:local .`, as docs/deployment.md says (cached layers: seconds). */
export const buildImage = () =>
  step('docker build -f docker/Dockerfile -t ots-server:local .', () =>
    docker('build', '-q', '-f', join(ROOT, 'docker', 'Dockerfile'), '-t', 'ots-server:local', ...buildArgs(), ROOT));

/** GET /ready's body, or undefined; each try bounded, since until the server listens docker's port proxy may accept
 * a connection and then hold it. */
export const readyBody = (origin: string): Promise<unknown> =>
  fetch(`${origin}/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.json(), () => undefined);
