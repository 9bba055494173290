// Duplicate collapsing, in memory and bounded. Two rules:
// - A request whose request_id this instance already settled (or is handling right now) within the
//   dedupe window is a redelivery (a record re-read after a crash or rebalance, or produced twice):
//   'duplicate', dropped.
// - A request with the same user and collapse_key as one sent less than the collapse window
//   earlier is 'collapsed': the device already shows (or is being sent) a notification for that
//   conversation, so the later one is dropped. The window is measured between the records' own
//   timestamps (when the events happened), so a burst read after consumer lag still collapses and
//   requests minutes apart do not collapse just because they were read together. Collapsed
//   requests never extend the window: a steady stream still notifies once per window.
// A request that fails or is abandoned is released, so its retry or redelivery is sent again.
// Memory is bounded by maxEntries per map (oldest evicted first) and the windows (expiry): under
// pressure, collapsing is best effort, never a reason to hold more memory.
import { ExpiringMap } from './expiring-map';

export type CollapseDecision = 'send' | 'collapsed' | 'duplicate';

export interface CollapseOptions {
  /** Same user + collapse_key within this many ms (record timestamps) → one notification. Default 30 s. */
  windowMs?: number;
  /** How long a settled request_id is remembered to drop its redelivery. Default: windowMs. */
  dedupeWindowMs?: number;
  /** Most (user, collapse_key) pairs remembered. Default 100,000. */
  maxCollapseKeys?: number;
  /** Most settled request ids remembered. Default 200,000. */
  maxRequestIds?: number;
  /** Wall clock for expiry (tests). */
  now?: () => number;
}

export interface CollapseCandidate {
  requestId: string;
  userId: bigint;
  /** Empty: never collapsed (request_id dedupe still applies). */
  collapseKey: string;
  /** The record's timestamp (ms since the epoch). */
  eventTime: number;
}

interface LastSent {
  requestId: string;
  eventTime: number;
}

export const DEFAULT_COLLAPSE_WINDOW_MS = 30_000;

export class Collapser {
  readonly #windowMs: number;
  readonly #lastSent: ExpiringMap<string, LastSent>;
  readonly #settled: ExpiringMap<string, true>;
  /** Requests being handled now → their collapse map key ('' when none). Bounded by in-flight records. */
  readonly #inFlight = new Map<string, string>();

  constructor(options: CollapseOptions = {}) {
    this.#windowMs = options.windowMs ?? DEFAULT_COLLAPSE_WINDOW_MS;
    const now = options.now;
    this.#lastSent = new ExpiringMap({ ttlMs: this.#windowMs, maxEntries: options.maxCollapseKeys ?? 100_000, now });
    this.#settled = new ExpiringMap({
      ttlMs: options.dedupeWindowMs ?? this.#windowMs,
      maxEntries: options.maxRequestIds ?? 200_000,
      now,
    });
  }

  /**
   * Decides what to do with a request. 'send' reserves it: call complete() once it settled or
   * release() if it failed or was abandoned. 'collapsed' and 'duplicate' need no further call.
   */
  admit(candidate: CollapseCandidate): CollapseDecision {
    const { requestId } = candidate;
    if (this.#inFlight.has(requestId) || this.#settled.has(requestId)) return 'duplicate';
    let key = '';
    if (candidate.collapseKey !== '') {
      key = `${candidate.userId}:${candidate.collapseKey}`;
      const last = this.#lastSent.get(key);
      if (last && Math.abs(candidate.eventTime - last.eventTime) < this.#windowMs) {
        this.#settled.set(requestId, true);
        return 'collapsed';
      }
      this.#lastSent.set(key, { requestId, eventTime: candidate.eventTime });
    }
    this.#inFlight.set(requestId, key);
    return 'send';
  }

  /** The request settled (delivered, removed, dead-lettered, or no devices): drop its redeliveries. */
  complete(requestId: string): void {
    this.#inFlight.delete(requestId);
    this.#settled.set(requestId, true);
  }

  /** The request failed or was abandoned: forget it, so its retry or redelivery is sent. */
  release(requestId: string): void {
    const key = this.#inFlight.get(requestId);
    this.#inFlight.delete(requestId);
    if (key && this.#lastSent.get(key)?.requestId === requestId) this.#lastSent.delete(key);
  }

  /** Forgets everything (stop). */
  clear(): void {
    this.#inFlight.clear();
    this.#lastSent.clear();
    this.#settled.clear();
  }
}
