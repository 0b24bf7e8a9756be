import { LIVE_STATES, mayView } from '../domain/receipt.js';
import type { ReceiptForView, SecretStore } from '../domain/store.js';

/**
 * Completes the view of a receipt already read with separate store steps: its secret's time left while it is
 * live, and a first view's move to viewed when the viewer may see it (SecretStore.viewReceipt). The memory store
 * views every receipt this way; Redis only those kept apart from their secret, whose script cannot reach it.
 */
export async function completeView(
  store: Pick<SecretStore, 'secretTtl' | 'transition'>,
  found: Omit<ReceiptForView, 'secretTtl'>,
  viewer: string | undefined,
): Promise<ReceiptForView> {
  const { receipt } = found;
  if (!LIVE_STATES.includes(receipt.state)) return { ...found, secretTtl: null };
  const [secretTtl] = await Promise.all([
    store.secretTtl(receipt.secretKey),
    receipt.state === 'new' && mayView(receipt.custid, viewer)
      ? store.transition(receipt.metadataKey, ['new'], 'viewed', receipt.updated)
      : null,
  ]);
  return { ...found, secretTtl };
}
