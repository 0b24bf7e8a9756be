// The test double's clock: one object handed to the service, the memory store and the rate limits, so moving it
// moves every TTL, expiry, receipt state, rate window and reported timestamp together.
import { AsyncLocalStorage } from 'node:async_hooks';

export class ControlClock {
  /** Epoch ms the clock stands at after `set`; undefined: it follows real time. */
  private pinned: number | undefined;
  private offsetMs = 0;
  /** A shift seen only inside one async call chain (backdated), so a fixture made in the past moves nothing else. */
  private readonly shift = new AsyncLocalStorage<number>();

  /** Milliseconds since the epoch, as the server sees them. */
  readonly now = (): number => (this.pinned ?? Date.now()) + this.offsetMs + (this.shift.getStore() ?? 0);

  /** Moves the clock forward (or back, if negative) by `seconds`. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  /** Stops the clock at `epochSeconds`: a test that asserts timestamps gets exact ones; `advance` moves it on. */
  set(epochSeconds: number): void {
    this.pinned = epochSeconds * 1000;
    this.offsetMs = 0;
  }

  /** Back to real time. */
  reset(): void {
    this.pinned = undefined;
    this.offsetMs = 0;
  }

  /** Runs `fn` (and everything it awaits) with the clock `seconds` earlier, for that call chain alone. */
  backdated<T>(seconds: number, fn: () => Promise<T>): Promise<T> {
    return this.shift.run(-seconds * 1000, fn);
  }
}
