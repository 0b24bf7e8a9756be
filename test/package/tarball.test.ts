// The package as another project gets it: `npm pack` (its prepack builds from a clean copy of the sources),
// install the tarball into a fresh project next to vitest and the onetimesecret-api client, type-check a consumer
// file against the shipped types, and run the consumer's vitest suite (fixture/client.spec.ts) there.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('fixture', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// What the package ships; the sources are copied so that packing never rewrites the dist/ other tests run.
const PACKAGE_SOURCES = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts'];
// Pinned to what this repository resolves, so npm's cache answers without the network when it can.
const TYPES_NODE = `@types/node@${JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')).version}`;
const CONSUMER_DEPS = ['vitest@3', 'onetimesecret-api@1.1.3', 'node-fetch@2', TYPES_NODE];
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The caller's environment without this vitest run's own variables (a nested vitest or npm would read them). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|npm_|NODE_ENV$|NODE_OPTIONS$|TEST$)/.test(name)),
  );
  return { ...env, ...extra };
}

function run(file: string, args: string[], cwd: string, env = childEnv(), timeout = 180_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr: err && !stderr ? String(err) : stderr });
    });
  });
}

function explain(step: string, r: Result): string {
  return `${step} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

describe('the npm package', () => {
  let work: string;
  let tarball: string;
  let packedFiles: string[];
  let consumer: string;
  let source: string;
  let installWarnings: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ots-package-'));
    source = join(work, 'source');
    mkdirSync(source);
    for (const entry of PACKAGE_SOURCES) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');

    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], source);
    if (pack.code !== 0) throw new Error(explain('npm pack', pack));
    // prepack's own output comes first; npm's JSON report is the array that starts a line.
    const json = pack.stdout.slice(pack.stdout.search(/^\[/m));
    const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    packedFiles = info!.files.map((f) => f.path);

    consumer = join(work, 'consumer');
    cpSync(FIXTURE, consumer, { recursive: true });
    const install = await run('npm', ['install', tarball, ...CONSUMER_DEPS, ...NPM_FLAGS], consumer);
    if (install.code !== 0) throw new Error(explain('npm install', install));
    installWarnings = install.stderr;
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the build, its types, the command, README and LICENSE, and no sources or tests', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/ots-server.js',
        'dist/server.js',
      ]),
    );
    expect(packedFiles.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  // npm 11 warns a consumer about every install script of a dependency; the repository's own scripts stay behind.
  it('ships a package.json without scripts, so installing it warns about none; the clone keeps its scripts', () => {
    const shipped = JSON.parse(readFileSync(join(consumer, 'node_modules', 'ots-server', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(shipped.scripts).toBeUndefined();
    expect(shipped.bin).toEqual({ 'ots-server': 'dist/cli/ots-server.js' });
    expect(installWarnings).not.toMatch(/ots-server@/);
    const kept = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    expect(kept.scripts?.prepare).toBeDefined();
  });

  it('type-checks a consumer against the shipped types', async () => {
    const tsc = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], consumer);
    expect(tsc.code, explain('tsc', tsc)).toBe(0);
  });

  it('installs the ots-server command', async () => {
    const help = await run(join(consumer, 'node_modules', '.bin', 'ots-server'), ['--help'], consumer);
    expect(help.code, explain('ots-server --help', help)).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ots-server/);
  });

  it('runs as `npx --no -- ots-server` (the documented form): the URL is the first stdout line, and killing npx stops the server', async () => {
    const npx = spawn('npx', ['--no', '--', 'ots-server', '--port', '0', '--account', 'alice@example.com:sometoken123-0123456789abcdefghij'], {
      cwd: consumer,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: npx.stdout })[Symbol.asyncIterator]();
      const first = await lines.next();
      const url = String(first.value);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const auth = `Basic ${Buffer.from('alice@example.com:sometoken123-0123456789abcdefghij').toString('base64')}`;
      const check = await fetch(`${url}/api/v1/authcheck`, { headers: { authorization: auth } });
      expect(await check.json()).toEqual({ status: 'nominal', locale: 'en' });

      // npm forwards the signal only to the shell it runs the command in; the server notices it was orphaned.
      npx.kill('SIGTERM');
      await vi.waitFor(() => expect(fetch(`${url}/api/v1/status`)).rejects.toThrow(), { timeout: 10_000, interval: 100 });
      expect((await lines.next()).done).toBe(true); // nothing else was written to stdout
    } finally {
      npx.kill('SIGKILL');
    }
  }, 60_000);

  it("passes the consumer's vitest suite that uses startServer() with the onetimesecret-api client", async () => {
    const report = join(work, 'report.json');
    const env = childEnv({ REDIS_URL: inject('redisUrl') });
    const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
    const vitest = await run('npx', args, consumer, env, 120_000);
    expect(vitest.code, explain('npx vitest run', vitest)).toBe(0);
    const result = JSON.parse(readFileSync(report, 'utf8')) as Record<string, number>;
    // 5 tests on each store (memory and Redis), 1 on the globalSetup server, 2 on options; none skipped.
    expect(result).toMatchObject({ numPassedTests: 13, numFailedTests: 0, numPendingTests: 0, numTotalTests: 13 });
  }, 150_000);
});
