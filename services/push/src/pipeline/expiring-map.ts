// A Map whose entries expire a fixed time after they were (re)set, holding at most `maxEntries`
// (the oldest go first). Every entry lives equally long, so the Map's insertion order is also
// expiry order: expired entries are swept from the front in O(1) each, without timers.

export interface ExpiringMapOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Slot<V> {
  value: V;
  expiresAt: number;
}

export class ExpiringMap<K, V> {
  readonly #entries = new Map<K, Slot<V>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** No entry expires before this (the front entry's expiry at the last sweep): sweeps until then are no-ops. */
  #sweepAt = -Infinity;

  constructor(options: ExpiringMapOptions) {
    if (!(options.ttlMs >= 0)) throw new RangeError('ttlMs must be a non-negative number');
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    this.#sweep(this.#now());
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const now = this.#now();
    this.#sweep(now);
    const slot = this.#entries.get(key);
    return slot && slot.expiresAt > now ? slot.value : undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets the value and restarts its lifetime (moving it to the back of the eviction order). */
  set(key: K, value: V): void {
    const now = this.#now();
    this.#sweep(now);
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  // Called on every get and set: skipping the iterator when nothing can have expired matters.
  #sweep(now: number): void {
    if (now < this.#sweepAt) return;
    for (const [key, slot] of this.#entries) {
      if (slot.expiresAt > now) {
        this.#sweepAt = slot.expiresAt;
        return;
      }
      this.#entries.delete(key);
    }
    // Empty: anything set from now on expires ttl later at the earliest.
    this.#sweepAt = now + this.#ttlMs;
  }
}
