import type { Store } from '../domain/store.js';

/** Whether the store answers: the `nominal`/`offline` of every version's status route. */
export async function storeStatus(store: Store): Promise<boolean> {
  try {
    await store.ping();
    return true;
  } catch {
    return false;
  }
}
