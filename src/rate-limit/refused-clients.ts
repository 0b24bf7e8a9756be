// Clients known to be past their budget until their window ends, so that their further requests are refused on
// arrival: no count (a window's count only grows, so Redis would refuse them too) and no body read.

/** Most clients remembered at once; past that the oldest go first. */
const MAX_REMEMBERED = 10_000;

export class RefusedClients {
  /** Count key → epoch ms at which its window ends, in the order they were refused. */
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers that `key`'s window refuses everything for `ttlMs` more. */
  remember(key: string, ttlMs: number): void {
    this.until.delete(key);
    if (this.until.size >= MAX_REMEMBERED) this.until.delete(this.until.keys().next().value!);
    this.until.set(key, this.now() + ttlMs);
  }

  forgetAll(): void {
    this.until.clear();
  }

  /** The milliseconds left of `key`'s refusing window, or undefined when none is known. */
  refusedFor(key: string): number | undefined {
    const end = this.until.get(key);
    if (end === undefined) return undefined;
    const left = end - this.now();
    if (left > 0) return left;
    this.until.delete(key);
    return undefined;
  }
}
