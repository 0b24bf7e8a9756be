// `node dist/server.js` as a child process, started the way the image starts it, with helpers to wait for its
// log lines and its exit. Built once per run by test/e2e/built.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { vi } from 'vitest';
import { cleanEnv, ROOT } from '../e2e/built.js';
import { HIGH_RATE_LIMITS, TEST_MASTER_KEY, uniquePrefix } from '../support/app.js';

export const SERVER_COMMAND = ['node', 'dist/server.js'];

/**
 * The environment of server processes that share one Redis (and so one REDIS_PREFIX), on a free loopback port,
 * with the test master key and budgets high enough for a suite; `extra` adds or overrides settings.
 */
export function sharedRedisEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: uniquePrefix(),
    OTS_SECRET: TEST_MASTER_KEY,
    HOST: '127.0.0.1',
    PORT: '0',
    ...HIGH_RATE_LIMITS,
    ...extra,
  };
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Every stdout line so far (pino JSON). */
  logs: string[];
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Waits until a log line's msg contains `text`; returns that line parsed. */
  waitForLog(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(): void;
}

/** Starts `command` (default `node dist/server.js`; `node` is this Node) in the repository root with a clean env. */
export async function startServerProcess(env: Record<string, string>, command = SERVER_COMMAND): Promise<ServerProcess> {
  const [bin, ...args] = command;
  const child = spawn(bin === 'node' ? process.execPath : bin!, args, { cwd: ROOT, env: cleanEnv(env) });
  const logs: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const messages = () => logs.map((line) => JSON.parse(line) as Record<string, unknown>);

  const origin = await new Promise<string>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
    // Needs LOG_LEVEL info or lower: the origin comes from Fastify's "Server listening at" line.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not log "Server listening at" within 10 s:\n${logs.join('\n')}\n${stderr}`));
    }, 10_000);
    void exited.then(() => clearTimeout(timer));
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });

  return {
    child,
    origin,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog: (text, timeout = 5_000) =>
      vi.waitFor(
        () => {
          const found = messages().find((m) => String(m.msg).includes(text));
          if (!found) throw new Error(`no log line with "${text}" yet:\n${logs.join('\n')}`);
          return found;
        },
        { timeout, interval: 20 },
      ),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
