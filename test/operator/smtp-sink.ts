// A local SMTP server that keeps what it receives, for the recipient-email tests. Loopback only, no TLS, no auth.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  from: string;
  to: string[];
  /** The message as received (headers and body), with quoted-printable soft breaks and escapes decoded. */
  text: string;
}

export interface SmtpSink {
  url: string;
  mails: CaughtMail[];
  /** Holds every message at DATA until release() is called: a slow mail server. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** Undoes quoted-printable (soft line breaks, =XX escapes) so a test can read the text body as sent. */
function decodeQuotedPrintable(raw: string): string {
  return Buffer.from(
    raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: CaughtMail[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => {};
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        void gate.then(() => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            text: decodeQuotedPrintable(Buffer.concat(chunks).toString('latin1')),
          });
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
