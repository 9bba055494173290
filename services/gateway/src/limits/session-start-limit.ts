// The daily session-start budget of each user, reported by GET /gateway/bot and consumed by every
// IDENTIFY (not by RESUME). A fixed window per user starts at its first IDENTIFY and lasts
// `windowMs` (24 h); `reset_after` is the time left in it.
//
// Kept in memory, per gateway instance: the check sits on the IDENTIFY hot path (target ≥ 5,000
// session starts per second per core), where a database write per start would cost more than the
// budget is worth. Caveat: with N instances a user can start up to N × total sessions per window,
// and a restart forgets the counts. That bounds abuse per instance, which is what protects us;
// a cluster-wide budget would move this behind the same port into the database or a shared cache.
//
// Memory: two numbers per user with a live window. Windows are re-inserted when they start, so
// the map is ordered by start time and expired ones are dropped from its front.

export interface SessionStartSnapshot {
  total: number;
  remaining: number;
  /** Milliseconds until the budget is full again. */
  reset_after: number;
  max_concurrency: number;
}

export interface SessionStartLimitOptions {
  total?: number;
  windowMs?: number;
  maxConcurrency?: number;
  now?: () => number;
}

export type ConsumeResult = { allowed: true; remaining: number } | { allowed: false; resetAfterMs: number };

interface Window {
  start: number;
  used: number;
}

export class SessionStartLimit {
  readonly total: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
  readonly #now: () => number;
  readonly #windows = new Map<bigint, Window>();

  constructor(options: SessionStartLimitOptions = {}) {
    this.total = options.total ?? 1000;
    this.windowMs = options.windowMs ?? 86_400_000;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.#now = options.now ?? Date.now;
  }

  /** Users with a live window (for metrics and tests). */
  get trackedUsers(): number {
    return this.#windows.size;
  }

  /** One session start. When refused, the caller closes with 4008 (clients then wait `reset_after`). */
  consume(userId: bigint): ConsumeResult {
    const now = this.#now();
    this.#prune(now);
    let window = this.#windows.get(userId);
    if (!window) {
      window = { start: now, used: 0 };
      this.#windows.set(userId, window);
    }
    if (window.used >= this.total) return { allowed: false, resetAfterMs: window.start + this.windowMs - now };
    window.used += 1;
    return { allowed: true, remaining: this.total - window.used };
  }

  snapshot(userId: bigint): SessionStartSnapshot {
    const now = this.#now();
    const window = this.#windows.get(userId);
    const live = window !== undefined && now - window.start < this.windowMs;
    return {
      total: this.total,
      remaining: live ? Math.max(0, this.total - window.used) : this.total,
      reset_after: live ? window.start + this.windowMs - now : this.windowMs,
      max_concurrency: this.maxConcurrency,
    };
  }

  #prune(now: number): void {
    for (const [userId, window] of this.#windows) {
      if (now - window.start < this.windowMs) return;
      this.#windows.delete(userId);
    }
  }
}
