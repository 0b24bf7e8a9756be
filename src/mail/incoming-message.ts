// The email an incoming recipient gets (docs/contracts/ots-incoming-api.md §8.11): the memo, the link, nothing of
// the sender, never the receipt key or the value.
import type { ReceiptRecord } from '../domain/receipt.js';
import { lifetime, secretLink, type RecipientMessage } from './message.js';

/** Never the memo in the subject: mail lists and previews show subjects. */
export const INCOMING_SUBJECT = "You've received a secret message";

export function incomingMessage(receipt: ReceiptRecord, publicUrl: string): RecipientMessage {
  const lines = [
    'You have received a secure message.',
    '',
    ...(receipt.memo ? [`Memo: ${receipt.memo}`, ''] : []),
    `Someone sent it to you through ${new URL(publicUrl).host}. Follow this link to view it:`,
    secretLink(publicUrl, receipt.secretKey),
    '',
    'The link works only once: after you view the secret, it is deleted.',
    '',
    ...(receipt.passphraseRequired ? ['It needs the passphrase the operator of this site set for incoming secrets.', ''] : []),
    `If it is not viewed within ${lifetime(receipt.ttl)}, it expires unread.`,
    '',
    'If you did not expect this message, you can ignore it.',
  ];
  return { subject: INCOMING_SUBJECT, text: `${lines.join('\n')}\n` };
}
