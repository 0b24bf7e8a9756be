// A map whose entries expire like Redis keys, for the memory store.

/** A map whose entries expire like Redis keys; expiry is checked on read and swept in the background. */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, ttlSeconds: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  /** Replaces the value and keeps the expiry, like HSET on an existing Redis key. */
  update(key: string, value: V): void {
    const e = this.entries.get(key);
    if (e) e.value = value;
  }

  /** Milliseconds left, or -2 when absent (as Redis PTTL). */
  pttl(key: string): number {
    if (this.get(key) === undefined) return -2;
    return this.entries.get(key)!.expiresAt - this.now();
  }

  /** Whole seconds left, or -2 when absent (as Redis TTL). */
  ttl(key: string): number {
    if (this.get(key) === undefined) return -2;
    return Math.floor((this.entries.get(key)!.expiresAt - this.now()) / 1000);
  }

  delete(key: string): boolean {
    return this.get(key) !== undefined && this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  sweep(): void {
    const now = this.now();
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
