// When to send a device's notification again after a 'retry' outcome (429, 503, other 5xx,
// timeouts): exponential backoff with full jitter — a random delay in [0, min(cap, base·2^(n−1)))
// — so a provider hiccup does not bring every instance back at the same instant; never sooner than
// the provider's Retry-After. After maxAttempts sends, or when the provider asks to wait longer
// than maxRetryAfterMs (holding the record that long would stall its partition), give up: the
// device is dead-lettered with the reason.

export interface RetryPolicyOptions {
  /** Sends per device, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff base (the ceiling of the first delay). Default 200 ms. */
  baseDelayMs?: number;
  /** Ceiling of the exponential backoff (Retry-After may exceed it). Default 10 s. */
  maxDelayMs?: number;
  /**
   * A longer Retry-After gives up at once. Default 60 s: a waiting device holds its record, and
   * the records after it in the partition stay uncommitted meanwhile.
   */
  maxRetryAfterMs?: number;
  /** [0, 1) (tests). Default Math.random. */
  random?: () => number;
}

export type RetryDecision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'give-up'; reason: 'retries-exhausted' | 'retry-after-too-long'; detail: string };

export class RetryPolicy {
  readonly maxAttempts: number;
  readonly #base: number;
  readonly #cap: number;
  readonly #maxRetryAfter: number;
  readonly #random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.#base = options.baseDelayMs ?? 200;
    this.#cap = options.maxDelayMs ?? 10_000;
    this.#maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
    this.#random = options.random ?? Math.random;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    if (!(this.#base > 0) || !(this.#cap >= this.#base)) throw new RangeError('need 0 < baseDelayMs <= maxDelayMs');
  }

  /** After send number `attempt` (1-based) answered 'retry' (with the provider's Retry-After, if any). */
  next(attempt: number, retryAfterMs?: number): RetryDecision {
    if (attempt >= this.maxAttempts) {
      return { kind: 'give-up', reason: 'retries-exhausted', detail: `no success after ${attempt} attempt(s)` };
    }
    const floor = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0;
    if (floor > this.#maxRetryAfter) {
      return { kind: 'give-up', reason: 'retry-after-too-long', detail: `provider asked to wait ${floor} ms` };
    }
    const ceiling = Math.min(this.#cap, this.#base * 2 ** (attempt - 1));
    const jittered = Math.floor(this.#random() * ceiling);
    return { kind: 'retry', delayMs: Math.max(floor, jittered) };
  }
}
