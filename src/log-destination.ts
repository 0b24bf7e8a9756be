// Where the server's log lines go by default: stdout, in blocks, through Node's non-blocking stream.
import type { DestinationStream } from 'pino';

/**
 * Gathers log lines and writes them to `out` once `blockLength` characters are waiting, every `flushEveryMs`, and
 * at exit. Written through Node's stream, never a blocking or retrying write of the fd: a reader that has gone
 * (EPIPE) or stopped reading can hold up neither a request nor the exit. Once `out` fails, lines are dropped.
 */
export class BlockLogDestination implements DestinationStream {
  private pending = '';
  private lost = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly blockLength: number,
    flushEveryMs: number,
  ) {
    out.on('error', () => {
      this.lost = true;
      this.pending = '';
    });
    setInterval(() => this.flush(), flushEveryMs).unref();
    // At exit a pipe takes what fits at once; what does not is lost rather than waited for.
    process.on('exit', () => this.flush());
  }

  write(line: string): void {
    if (this.lost) return;
    this.pending += line;
    if (this.pending.length >= this.blockLength) this.flush();
  }

  /** Hands what is waiting to `out`; `done` is called once `out` has taken it (pino's `logger.flush(done)`). */
  flush(done?: (err?: Error) => void): void {
    if (this.lost || !this.pending) {
      done?.();
      return;
    }
    const block = this.pending;
    this.pending = '';
    this.out.write(block, (err) => done?.(err ?? undefined));
  }
}

let stdout: BlockLogDestination | undefined;

/** One per process: stdout in blocks of at least 4 KiB, flushed every second and at exit. */
export function stdoutInBlocks(): BlockLogDestination {
  return (stdout ??= new BlockLogDestination(process.stdout, 4096, 1000));
}
