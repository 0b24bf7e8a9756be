import { mayView, UNREAD_STATES } from '../domain/receipt.js';
import type { ReceiptForView, SecretStore } from '../domain/store.js';

/**
 * Completes the view of a receipt already read: its secret's time left while it is unread (read here unless
 * `knownSecretTtl` says it), and a first view's move to viewed when the viewer may see it (SecretStore.viewReceipt).
 */
export async function completeView(
  store: Pick<SecretStore, 'secretTtl' | 'transition'>,
  found: Omit<ReceiptForView, 'secretTtl'>,
  viewer: string | undefined,
  knownSecretTtl?: number | null,
): Promise<ReceiptForView> {
  const { receipt } = found;
  if (!UNREAD_STATES.includes(receipt.state)) return { ...found, secretTtl: null };
  const [secretTtl] = await Promise.all([
    knownSecretTtl !== undefined ? knownSecretTtl : store.secretTtl(receipt.secretKey),
    receipt.state === 'new' && mayView(receipt.custid, viewer)
      ? store.transition(receipt.metadataKey, ['new'], 'viewed', receipt.updated)
      : null,
  ]);
  return { ...found, secretTtl };
}
