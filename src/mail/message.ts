// The email a recipient gets: a link to the secret's page, never the secret itself.
import type { ReceiptRecord } from '../domain/receipt.js';

export interface RecipientMessage {
  subject: string;
  text: string;
}

/** The recipient's page for a secret; it shows the secret only after a click, so link previews do not consume it. */
export function secretLink(publicUrl: string, secretKey: string): string {
  return `${publicUrl}/secret/${secretKey}`;
}

/** A TTL in words for a mail: "7 days". */
export function lifetime(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

export function recipientMessage(receipt: ReceiptRecord, publicUrl: string): RecipientMessage {
  const lines = [
    `${receipt.custid} has shared a secret with you.`,
    '',
    'Open it here. It can be read only once, then it is gone:',
    secretLink(publicUrl, receipt.secretKey),
    '',
    ...(receipt.passphraseRequired ? ['It is protected by a passphrase; the sender will give it to you separately.', ''] : []),
    `If it is not read within ${lifetime(receipt.ttl)}, it expires unread.`,
    '',
    'If you do not know the sender, you can ignore this email.',
  ];
  return { subject: 'A secret has been shared with you', text: `${lines.join('\n')}\n` };
}
