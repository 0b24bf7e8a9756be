// No production start exposes /__ots/: `node dist/server.js` (what `npm start` and the image's default command run)
// never loads src/control, whatever its environment or arguments; startServer and the ots-server command serve it
// only when asked, and never over Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { TestDouble } from '../../src/control/test-double.js';
import { ConfigError, startServer } from '../../src/index.js';
import { cleanEnv, DIST, ensureBuilt, ROOT } from '../e2e/built.js';
import { http } from './double.js';

/** Every name an operator (or a test author guessing) might try to turn a control API on with. */
const PLAUSIBLE_ENV = Object.fromEntries(
  ['OTS_CONTROL', 'CONTROL', 'OTS_CONTROL_API', 'CONTROL_API', 'OTS_TEST_DOUBLE', 'TEST_DOUBLE', 'OTS_DOUBLE', 'OTS_TEST_MODE'].map((n) => [n, 'true']),
);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a built script and resolves with the URL it announces (server.js logs it; the command prints it). */
function start(script: string, args: string[], env: Record<string, string>, lines: string[] = []): Promise<string> {
  const child = spawn(process.execPath, [join(DIST, script), ...args], { cwd: ROOT, env: cleanEnv(env) });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
}

/** The answer to a path no route serves: what /__ots/ must get on a production start. */
async function expectUnrouted(url: string): Promise<void> {
  const normal = await http(url, 'POST', '/__nothing/reset');
  for (const [method, path] of [
    ['POST', '/__ots/reset'],
    ['POST', '/__ots/fixtures'],
    ['GET', '/__ots/requests'],
    ['GET', '/__ots/clock'],
  ]) {
    const reply = await http(url, method!, path!, method === 'POST' ? { json: { state: 'new' } } : {});
    expect(reply.status, `${method} ${path}`).toBe(404);
    expect(reply.headers.get('content-type')).toBe(normal.headers.get('content-type'));
  }
}

/** The source files a module loads at run time (type-only imports are erased by the compiler). */
function runtimeImports(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(join(ROOT, 'src', entry), 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gms)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    runtimeImports(relative(join(ROOT, 'src'), resolve(dirname(join(ROOT, 'src', entry)), spec.replace(/\.js$/, '.ts'))), seen);
  }
  return seen;
}

describe('no production start exposes /__ots/', () => {
  beforeAll(ensureBuilt);

  it('server.ts (npm start, the image CMD) never loads src/control; startServer and the command do', () => {
    expect([...runtimeImports('server.ts')].filter((f) => f.startsWith('control/'))).toEqual([]);
    expect([...runtimeImports('cli/ots-server.ts')]).toContain('control/test-double.ts');
  });

  it('node dist/server.js with every plausible setting: the normal 404', async () => {
    const url = await start('server.js', [], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...PLAUSIBLE_ENV });
    expect((await http(url, 'GET', '/api/v1/status')).body).toEqual({ status: 'nominal', locale: 'en' });
    await expectUnrouted(url);
  });

  it('node dist/server.js --control is refused (exit 64): the server takes no arguments', async () => {
    await expect(start('server.js', ['--control'], { PORT: '0', HOST: '127.0.0.1', ...PLAUSIBLE_ENV })).rejects.toThrow(
      /exited with 64[\s\S]*unexpected argument "--control"/,
    );
  });

  it('the ots-server command without --control, with the same settings: the normal 404', async () => {
    const url = await start('cli/ots-server.js', ['--port', '0'], PLAUSIBLE_ENV);
    await expectUnrouted(url);
  });

  it('the ots-server command with --control: the control API, the URL still its first stdout line', async () => {
    const stdout: string[] = [];
    const url = await start('cli/ots-server.js', ['--control', '--port', '0'], {}, stdout);
    expect(stdout[0]).toBe(url);
    expect((await http(url, 'POST', '/__ots/clock', { json: { set: 1_900_000_000 } })).body).toEqual({ now: 1_900_000_000 });
  });

  it('startServer() without control: the normal 404, and no control on what it returns', async () => {
    const server = await startServer();
    try {
      await expectUnrouted(server.url);
      expect('control' in server).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('startServer({ control: true }) with Redis is refused; buildApp refuses a control API over anything but its memory store', async () => {
    await expect(startServer({ control: true, redisUrl: 'redis://127.0.0.1:1', secret: 'a'.repeat(64) })).rejects.toThrow(ConfigError);
    const double = new TestDouble();
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const redisKind = { ...double.store, kind: 'redis' as const };
    await expect(buildApp(config, { store: redisKind, control: double })).rejects.toThrow('the control API runs only on the in-memory store');
  });
});
