// Local provider quotas: a token bucket per FCM project and per APNs app, so a burst is smoothed
// (callers wait their turn, first come first served) instead of being refused by the provider with
// 429s. Only the wait queue is bounded: past it a caller is refused at once with an estimate of
// when to come back, which the providers turn into a retry outcome.
import { onAbort } from '@switchboard/runtime';

/** Time source and timer, injectable so tests can step time instead of sleeping. */
export interface Clock {
  now(): number;
  /** Calls fn after ms; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export interface TokenBucketOptions {
  ratePerMinute: number;
  /** Sends allowed back to back after an idle period (default: one second's worth of the rate, at least 1). */
  burst?: number;
  /** Callers allowed to wait for a slot (default 10,000). */
  maxWaiting?: number;
  clock?: Clock;
}

export class QuotaQueueFullError extends Error {
  constructor(
    readonly key: string,
    readonly retryAfterMs: number,
  ) {
    super(`local quota queue for ${key} is full; retry in ~${retryAfterMs} ms`);
    this.name = 'QuotaQueueFullError';
  }
}

export class QuotaWaitAbortedError extends Error {
  constructor(readonly key: string) {
    super(`wait for the ${key} quota was aborted`);
    this.name = 'QuotaWaitAbortedError';
  }
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

export class TokenBucket {
  readonly ratePerMinute: number;
  readonly burst: number;
  private readonly perMs: number;
  private readonly maxWaiting: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    readonly key: string,
    options: TokenBucketOptions,
  ) {
    if (!(options.ratePerMinute > 0) || !Number.isFinite(options.ratePerMinute)) {
      throw new Error(`quota for ${key}: ratePerMinute must be a positive number, got ${options.ratePerMinute}`);
    }
    this.ratePerMinute = options.ratePerMinute;
    this.perMs = options.ratePerMinute / 60_000;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.ratePerMinute / 60));
    this.maxWaiting = Math.max(0, options.maxWaiting ?? 10_000);
    this.clock = options.clock ?? systemClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes one request's share now if there is one and nobody waits (the common case, without a promise). */
  tryTake(): boolean {
    if (this.waiters.length > 0) return false;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Resolves when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new QuotaWaitAbortedError(this.key));
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.maxWaiting) {
      const backlog = this.waiters.length + 1 - this.tokens;
      return Promise.reject(new QuotaQueueFullError(this.key, Math.ceil(backlog / this.perMs)));
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          dispose?.();
          resolve();
        },
        reject: (error) => {
          dispose?.();
          reject(error);
        },
      };
      // The send's signal is shared by every record in flight: onAbort keeps this O(1).
      const dispose = signal
        ? onAbort(signal, () => {
            const index = this.waiters.indexOf(waiter);
            if (index >= 0) this.waiters.splice(index, 1);
            reject(new QuotaWaitAbortedError(this.key));
          })
        : undefined;
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** Refuses every waiter (the provider is closing). */
  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new QuotaWaitAbortedError(this.key));
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
  }

  private drain(): void {
    this.cancelTimer = undefined;
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.waiters.shift()!.resolve();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.cancelTimer || this.waiters.length === 0) return;
    const wait = Math.max(1, Math.ceil((1 - this.tokens) / this.perMs));
    this.cancelTimer = this.clock.setTimer(() => this.drain(), wait);
  }
}

/** One bucket per key (an FCM project, an APNs app), created on first use with the key's rate. */
export class QuotaLimiters {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly defaults: Omit<TokenBucketOptions, 'ratePerMinute'> & { ratePerMinute: number }) {}

  bucket(key: string, ratePerMinute?: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(key, { ...this.defaults, ratePerMinute: ratePerMinute ?? this.defaults.ratePerMinute });
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  close(): void {
    for (const bucket of this.buckets.values()) bucket.close();
  }
}
