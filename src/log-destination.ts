// Where the server's log lines go by default: stdout, one write per line, through Node's non-blocking stream.
import type { DestinationStream } from 'pino';

/**
 * Writes each log line to `out` through Node's stream, never a blocking or retrying write of the fd: a reader that
 * has gone (EPIPE) or stopped reading can hold up neither a request nor the exit. Once `out` fails, lines are
 * dropped. (Gathering lines into 4 KiB blocks was measured against this and made no difference beyond the noise:
 * docs/performance.md, "Speed tricks: A/B".)
 */
export class LogDestination implements DestinationStream {
  private lost = false;

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', () => {
      this.lost = true;
    });
  }

  write(line: string): void {
    if (!this.lost) this.out.write(line);
  }

  /** `done` is called once `out` has taken every line written before (pino's `logger.flush(done)`). */
  flush(done?: (err?: Error) => void): void {
    if (this.lost) done?.();
    else this.out.write('', (err) => done?.(err ?? undefined));
  }
}

let stdout: LogDestination | undefined;

/** One per process: stdout. */
export function stdoutLog(): LogDestination {
  return (stdout ??= new LogDestination(process.stdout));
}
