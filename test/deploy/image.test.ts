// The container image, checked without a Docker engine: the Dockerfile's promises are read from the file, and its
// CMD and HEALTHCHECK are run as written against the built dist/, with the image's environment. The image itself
// is built and run on a real engine by test/docker (CI's Docker stage).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MASTER_KEY, uniquePrefix } from '../support/app.js';
import { RUNTIME_ENV } from '../../bench/runtime-env.js';
import { freePort, RedisServer } from '../support/redis-server.js';
import { cleanEnv, DIST, ensureBuilt, ROOT } from '../e2e/built.js';
import { call } from './http.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

interface Instruction {
  op: string;
  args: string;
}

/** Instructions per stage, continuation lines joined, comments dropped; ARGs before the first FROM substituted. */
function parseDockerfile(text: string): Instruction[][] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: Instruction[][] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const expanded = args.replace(/\$\{(\w+)\}/g, (whole, name: string) => globalArgs.get(name) ?? whole);
    if (op.toUpperCase() === 'FROM') stages.push([]);
    if (stages.length === 0 && op.toUpperCase() === 'ARG') {
      const [name, value = ''] = args.split('=');
      globalArgs.set(name!, value);
    }
    stages.at(-1)?.push({ op: op.toUpperCase(), args: expanded.replace(/\s+/g, ' ') });
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8'));
const runtime = dockerfile.at(-1)!;
const all = (stage: Instruction[], op: string) => stage.filter((i) => i.op === op).map((i) => i.args);
const execForm = (op: string) => JSON.parse(all(runtime, op).at(-1)!.replace(/^.*?(?=\[)/, '')) as string[];

/** ENV lines of the runtime stage, `A=1 B=2` or `A 1`. */
function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(runtime, 'ENV')) {
    for (const pair of args.match(/\w+=("[^"]*"|\S+)/g) ?? []) {
      const [name, value] = pair.split(/=(.*)/s);
      env[name!] = value!.replace(/^"|"$/g, '');
    }
  }
  return env;
}

function* javascriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* javascriptFiles(path);
    else if (entry.name.endsWith('.js')) yield path;
  }
}

describe('docker/Dockerfile', () => {
  it('builds on an official Node 24 slim image in every stage, multi-stage', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile) {
      expect(stage[0]!.args).toMatch(/^node:24(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?( AS [\w-]+)?$/i);
    }
  });

  it('ships production dependencies only: the runtime stage takes node_modules from an `npm ci --omit=dev` stage', () => {
    const copyModules = all(runtime, 'COPY').find((a) => a.includes('node_modules'));
    const from = /--from=([\w-]+)/.exec(copyModules ?? '')?.[1];
    expect(from, 'runtime copies node_modules from a named stage').toBeDefined();
    const source = dockerfile.find((s) => s[0]!.args.endsWith(`AS ${from}`))!;
    expect(all(source, 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    // And no source, tests or dev tooling in the runtime stage.
    expect(all(runtime, 'COPY').join('\n')).not.toMatch(/\b(src|test|tsconfig)/);
    expect(all(runtime, 'RUN')).toEqual([]);
  });

  it('runs as the unprivileged node user, from files it cannot write (read-only root filesystem friendly)', () => {
    expect(all(runtime, 'USER')).toEqual(['node']);
    // COPY without --chown leaves files owned by root: the node user reads them and writes nowhere.
    for (const copy of all(runtime, 'COPY')) expect(copy).not.toContain('--chown');
    expect(imageEnv()).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
  });

  it('runs with the production runtime settings that the benchmark measures, as `npm start` does', () => {
    expect(imageEnv()).toMatchObject(RUNTIME_ENV);
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toContain(`MALLOC_MMAP_THRESHOLD_=${RUNTIME_ENV.MALLOC_MMAP_THRESHOLD_}`);
    expect(start).toContain(`node ${RUNTIME_ENV.NODE_OPTIONS} dist/server.js`);
  });

  it('starts `node dist/server.js` and checks health with node (the slim image has no curl)', () => {
    expect(execForm('CMD')).toEqual(['node', 'dist/server.js']);
    expect(all(runtime, 'HEALTHCHECK').at(-1)).toMatch(/ CMD \[/); // exec form: no shell needed
    const health = execForm('HEALTHCHECK');
    expect(health[0]).toBe('node');
    expect(health.join(' ')).toContain('/health');
    expect(health.join(' ')).not.toMatch(/curl|wget/);
  });

  it('needs only `dependencies` at run time: every package dist/ imports is one of them or a Node builtin', async () => {
    await ensureBuilt();
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of javascriptFiles(DIST)) {
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)) {
        if (spec!.startsWith('.') || spec!.startsWith('/') || spec!.startsWith('node:')) continue;
        const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        if (!builtins.has(name) && !(name in pkg.dependencies)) missing.add(`${name} (${file.slice(ROOT.length)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe("the image's CMD and HEALTHCHECK, run as written", () => {
  let redis: RedisServer;
  let server: ServerProcess;
  let env: Record<string, string>;

  /** Runs the HEALTHCHECK command with the container's environment; resolves with its exit code. */
  const healthcheck = () =>
    new Promise<number>((resolve) => {
      const [bin, ...args] = execForm('HEALTHCHECK');
      execFile(bin === 'node' ? process.execPath : bin!, args, { cwd: ROOT, env: cleanEnv(env), timeout: 3_000 }, (err) =>
        resolve(err ? Number((err as { code?: unknown }).code ?? 1) : 0),
      );
    });

  beforeAll(async () => {
    await ensureBuilt();
    redis = await RedisServer.start();
    env = {
      ...imageEnv(),
      // Tests stay on loopback; a fixed port because the healthcheck reads PORT, as in the container.
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniquePrefix(),
      OTS_SECRET: TEST_MASTER_KEY,
    };
    server = await startServerProcess(env, execForm('CMD'));
  });
  afterAll(async () => {
    server?.kill();
    await redis?.destroy();
  });

  it('serves the API, and the healthcheck passes', async () => {
    expect((await call(server.origin, 'GET', '/api/v1/status')).body).toEqual({ status: 'nominal', locale: 'en' });
    expect(await healthcheck()).toBe(0);
  });

  it('stays healthy (live) while Redis is down, but not ready; ready again when Redis returns', async () => {
    await redis.stop();
    expect(await healthcheck()).toBe(0);
    expect((await call(server.origin, 'GET', '/ready')).status).toBe(503);
    await redis.start();
    await expect.poll(async () => (await call(server.origin, 'GET', '/ready')).status, { timeout: 10_000 }).toBe(200);
  });

  it('stops on SIGTERM with exit code 0, after which the healthcheck fails', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await healthcheck()).toBe(1);
  });
});
