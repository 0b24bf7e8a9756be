/** Most clients counted at once; past that, the oldest windows are dropped (an attacker's flood evicts its own). */
const MAX_WINDOWS = 100_000;

/**
 * Starts `window` for `key` in a Map of per-client windows kept in the order they began. Every window has the same
 * length, so the front ends first: dropping from the front while it is no longer `inUse` (or while the map is
 * full) costs O(1) per new window. The counter stores of both the memory and the Redis mode keep their windows so.
 */
export function startWindow<W>(windows: Map<string, W>, key: string, window: W, inUse: (w: W) => boolean): W {
  for (const [k, w] of windows) {
    if (inUse(w) && windows.size < MAX_WINDOWS) break;
    windows.delete(k);
  }
  windows.delete(key); // re-inserted last, so the Map's order stays oldest-window-first
  windows.set(key, window);
  return window;
}
