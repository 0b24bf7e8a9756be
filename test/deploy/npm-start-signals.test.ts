// Issue 22, item 9: SIGTERM to the process the README starts (`npm start`) reaches the server, which shuts down
// gracefully within SHUTDOWN_TIMEOUT; nothing is left running or listening. The start script runs the server under
// `sh -c`, which must `exec` it: otherwise the shell dies of the signal and the server is orphaned, never told.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, ROOT } from '../e2e/built.js';

const SHUTDOWN_TIMEOUT_S = 5;
let serverPid: number | undefined;

beforeAll(() => ensureBuilt());
afterEach(() => {
  // An orphaned server (the failure this pins) must not outlive the test.
  if (serverPid !== undefined && isRunning(serverPid)) process.kill(serverPid, 'SIGKILL');
  serverPid = undefined;
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

it('SIGTERM to `npm start` shuts the server down gracefully within SHUTDOWN_TIMEOUT; nothing is left listening', async () => {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: cleanEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S) }),
  });
  const exited = new Promise<number | string>((resolve) => npm.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const logs: Record<string, unknown>[] = [];
  const lines = createInterface({ input: npm.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('npm start did not listen within 20 s')), 20_000);
    lines.on('line', () => {
      const found = logs.find((l) => String(l.msg).startsWith('Server listening at'));
      if (!found) return;
      clearTimeout(timer);
      resolve(found);
    });
  });
  serverPid = listening.pid as number;
  const port = Number(/:(\d+)$/.exec(String(listening.msg))![1]);
  expect(serverPid).not.toBe(npm.pid); // npm runs the server as a child

  const signalled = Date.now();
  npm.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(r, (SHUTDOWN_TIMEOUT_S + 5) * 1000, 'still running'))]);
  expect(code).not.toBe('still running');
  // The server itself ended, gracefully and on time.
  const deadline = Date.now() + SHUTDOWN_TIMEOUT_S * 1000;
  while (isRunning(serverPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(isRunning(serverPid)).toBe(false);
  expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_S * 1000);
  expect(logs.map((l) => l.msg)).toContain('shutdown complete: requests finished, store closed');
  expect(await refusesConnections(port)).toBe(true);
});
