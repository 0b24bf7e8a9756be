// `node dist/server.js` as a new operator first meets it: --help, a stray argument, readable logs on a terminal
// (a real one: util-linux `script` gives the server a pseudo-terminal), JSON in a pipe, and a port in use.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, DIST, ensureBuilt, ROOT, run, runBuilt } from './built.js';

/** Runs the server under `script` (stdout a terminal) until it has logged `until`; returns what the terminal showed. */
async function onTerminal(env: Record<string, string>, until: string): Promise<string> {
  const child = spawn('script', ['-qfec', `exec ${process.execPath} ${DIST}/server.js`, '/dev/null'], {
    cwd: ROOT,
    env: cleanEnv({ PORT: '0', ...env }),
  });
  let out = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes(until)) resolve();
    });
    void exited.then(() => reject(new Error(`the server exited before logging "${until}":\n${out}`)));
  });
  child.kill('SIGTERM');
  await exited;
  return out;
}

describe('starting the built server', () => {
  beforeAll(ensureBuilt);

  it('--help prints the settings and where they are documented, exit 0; npm start -- --help too', async () => {
    const direct = await runBuilt('server.js', ['--help'], {});
    expect(direct).toMatchObject({ code: 0, stderr: '' });
    expect(direct.stdout).toMatch(/^Usage: npm start/);
    for (const text of ['REDIS_URL', 'OTS_SECRET', 'PORT=7143', 'LOG_FORMAT', 'README.md', 'docs/operations.md']) {
      expect(direct.stdout).toContain(text);
    }
    const viaNpm = await run('npm', ['start', '--silent', '--', '--help'], {});
    expect(viaNpm.code).toBe(0);
    expect(viaNpm.stdout).toContain('Usage: npm start');
  });

  it('refuses any other argument with exit 64 and one line on where --help is', async () => {
    const result = await runBuilt('server.js', ['--port', '8080'], {});
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr).toBe(
      'ots-server: unexpected argument "--port": the server takes no arguments, only environment variables\nSee: npm start -- --help\n',
    );
  });

  it('logs readable lines on a terminal, JSON when LOG_FORMAT=json says so', async () => {
    const pretty = await onTerminal({}, 'Server listening at');
    expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] \S*WARN\S*: \S*no Redis configured/m);
    expect(pretty).not.toContain('"level"');
    const json = await onTerminal({ LOG_FORMAT: 'json' }, 'Server listening at');
    expect(json).toMatch(/^\{"level":40,.*"msg":"no Redis configured/m);
  });

  it('logs JSON lines into a pipe, and readable ones there when LOG_FORMAT=pretty', async () => {
    // A port in use ends the run right after the startup warnings.
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      const json = await runBuilt('server.js', [], { PORT: String(port) });
      expect(json.stdout.split('\n')[0]).toMatch(/^\{"level":40,/);
      const pretty = await runBuilt('server.js', [], { PORT: String(port), LOG_FORMAT: 'pretty' });
      expect(pretty.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: no Redis configured/);
    } finally {
      taken.close();
    }
  });

  it('a port in use: the warnings first, then one line naming the address and PORT, exit 1', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      // One pipe for both streams, so the order is the order they were written in.
      const result = await run('sh', ['-c', `exec "${process.execPath}" dist/server.js 2>&1`], { PORT: String(port) });
      expect(result.code).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines.at(-1)).toBe(
        `ots-server: failed to start: 127.0.0.1:${port} is already in use (another server running? choose another PORT)`,
      );
      expect(lines.slice(0, -1).join('\n')).toContain('no Redis configured');
    } finally {
      taken.close();
    }
  });
});
