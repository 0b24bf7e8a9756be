import { mayView, UNREAD_STATES } from '../domain/receipt.js';
import type { ReceiptForView, SecretStore } from '../domain/store.js';

/** What the store already did while reading a receipt: its secret's time left (if read), and the first-view move. */
export type ViewDone = { secretTtl?: number | null | undefined; moved: true } | { viewer: string | undefined; moved?: false };

/**
 * Completes the view of a receipt already read: its secret's time left while it is unread (read here unless the
 * store read it), and a first view's move to viewed when the viewer may see it (SecretStore.viewReceipt), unless
 * the store moved it in the same step.
 */
export async function completeView(
  store: Pick<SecretStore, 'secretTtl' | 'transition'>,
  found: Omit<ReceiptForView, 'secretTtl'>,
  done: ViewDone,
): Promise<ReceiptForView> {
  const { receipt } = found;
  if (!UNREAD_STATES.includes(receipt.state)) return { ...found, secretTtl: null };
  const known = done.moved ? done.secretTtl : undefined;
  const [secretTtl] = await Promise.all([
    known !== undefined ? known : store.secretTtl(receipt.secretKey),
    !done.moved && receipt.state === 'new' && mayView(receipt.custid, done.viewer)
      ? store.transition(receipt.metadataKey, ['new'], 'viewed', receipt.updated)
      : null,
  ]);
  return { ...found, secretTtl };
}
