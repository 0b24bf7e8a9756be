// How the server's log lines look: JSON lines for machines, readable lines for a person at a terminal.
import { destination, type DestinationStream } from 'pino';
import { stdoutInBlocks } from './log-destination.js';

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; otherwise pretty on a terminal and JSON everywhere else (pipes, files, container logs). */
export function chosenLogFormat(setting: LogFormat | undefined, out: { isTTY?: boolean }): LogFormat {
  return setting ?? (out.isTTY ? 'pretty' : 'json');
}

/**
 * A destination for pino writing to file descriptor `fd` (1 stdout, 2 stderr) in `format`. pino-pretty is loaded
 * only for the pretty format, so a production start never pays for it; it formats lines that pino has already
 * redacted. Pretty lines are written at once: a person is reading them, and there are few.
 */
export async function logDestination(format: LogFormat, fd: 1 | 2 = 1): Promise<DestinationStream> {
  const out = fd === 1 ? process.stdout : process.stderr;
  if (format === 'pretty') {
    const { default: pretty } = await import('pino-pretty');
    return pretty({
      destination: fd,
      sync: true,
      colorize: Boolean(out.isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  }
  // stderr (the test double's logs) is written at once: few lines, read beside a test run's own output.
  return fd === 1 ? stdoutInBlocks() : destination({ fd, sync: true });
}
