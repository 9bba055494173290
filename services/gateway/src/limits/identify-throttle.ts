// IDENTIFY concurrency as Discord defines it: each user has `max_concurrency` buckets,
// `rate_limit_key = shard_id % max_concurrency`, and each bucket admits one IDENTIFY per
// `intervalMs` (5 s). A refused IDENTIFY is answered with op 9 INVALID_SESSION d:false; the client
// waits and identifies again. In memory, per instance (same caveat as session-start-limit.ts: a
// client spreading shards of one bucket across instances gets one identify per instance).
//
// Memory: one number per recently used bucket. Entries are re-inserted on use, so the map is in
// time order and stale ones are dropped from its front; no timers.

export interface IdentifyThrottleOptions {
  intervalMs?: number;
  /** Used when the caller passes none (config GATEWAY_MAX_CONCURRENCY). */
  maxConcurrency?: number;
  now?: () => number;
}

export class IdentifyThrottle {
  readonly intervalMs: number;
  readonly maxConcurrency: number;
  readonly #now: () => number;
  /** `${userId}:${rate_limit_key}` → time of the last admitted IDENTIFY. */
  readonly #last = new Map<string, number>();

  constructor(options: IdentifyThrottleOptions = {}) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.#now = options.now ?? (() => Date.now());
  }

  get trackedBuckets(): number {
    return this.#last.size;
  }

  /** Admits (and records) one IDENTIFY, or returns false: the caller sends op 9 d:false. */
  tryIdentify(userId: bigint, shardId = 0, maxConcurrency = this.maxConcurrency): boolean {
    return this.acquire(userId, shardId, maxConcurrency) === 0;
  }

  /** 0 when admitted; else milliseconds until this bucket admits again. */
  acquire(userId: bigint, shardId = 0, maxConcurrency = this.maxConcurrency): number {
    const now = this.#now();
    this.#prune(now);
    const concurrency = Math.max(1, Math.floor(maxConcurrency));
    const key = `${userId}:${Math.max(0, Math.floor(shardId)) % concurrency}`;
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return last + this.intervalMs - now;
    this.#last.delete(key);
    this.#last.set(key, now);
    return 0;
  }

  #prune(now: number): void {
    for (const [key, at] of this.#last) {
      if (now - at < this.intervalMs) return;
      this.#last.delete(key);
    }
  }
}
