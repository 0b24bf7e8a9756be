// Starts and stops a real redis-server binary on a free loopback port (no Docker needed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForRedis(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch (err) {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis at ${url} did not answer: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface RedisServerOptions {
  port?: number;
  /** Extra redis-server arguments, e.g. ['--appendonly', 'yes', '--appendfsync', 'always']. */
  args?: string[];
  /** Data directory to reuse across restarts; a temporary one by default. */
  dir?: string;
  /** A config file given before the options (a Sentinel needs one it can rewrite; add '--sentinel' to args). */
  configFile?: string;
}

export class RedisServer {
  private child: ChildProcess | undefined;
  readonly dir: string;
  private readonly ownsDir: boolean;

  private constructor(
    readonly port: number,
    private readonly args: string[],
    dir: string | undefined,
    private readonly configFile?: string,
  ) {
    this.ownsDir = dir === undefined;
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'ots-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(opts.port ?? (await freePort()), opts.args ?? [], opts.dir, opts.configFile);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    this.child = spawn(
      bin,
      [
        ...(this.configFile ? [this.configFile] : []),
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--daemonize', 'no'],
        ...this.args,
      ],
      { stdio: 'ignore' },
    );
    const spawnError = new Promise<never>((_, reject) =>
      this.child!.once('error', (err) =>
        reject(new Error(`cannot start ${bin} (${err.message}); install it (apt-get install redis-server) or set REDIS_URL`)),
      ),
    );
    await Promise.race([waitForRedis(this.url), spawnError]);
  }

  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    // Already gone: exited on its own, or killed by a signal (then exitCode stays null and 'exit' has fired).
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
