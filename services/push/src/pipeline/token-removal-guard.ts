// A guard against deleting an app's device tokens wholesale. Providers answer "dead token" for a
// token that is gone — and also, for every token at once, when the app is misconfigured (APNs
// DeviceTokenNotForTopic after a wrong bundle id, FCM 404s from a wrong project). When more than
// `maxShare` of an app's sends within a window (at least `minSends` of them) came back dead, the
// guard trips for that app: its tokens are kept and those notifications dead-lettered with reason
// `token-removal-suspended`, until a window passes without the app looking broken.
export interface TokenRemovalGuardOptions {
  /** Default 60 s. */
  windowMs?: number;
  /** Sends in a window before its share counts (default 200). */
  minSends?: number;
  /** Share of dead-token answers above which the app's removals stop (default 0.5). */
  maxShare?: number;
  now?: () => number;
}

interface AppWindow {
  startedAt: number;
  sends: number;
  dead: number;
  /** Removals stay suspended until then. */
  trippedUntil: number;
}

export class TokenRemovalGuard {
  readonly #apps = new Map<string, AppWindow>();
  readonly #windowMs: number;
  readonly #minSends: number;
  readonly #maxShare: number;
  readonly #now: () => number;

  constructor(options: TokenRemovalGuardOptions = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#minSends = options.minSends ?? 200;
    this.#maxShare = options.maxShare ?? 0.5;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Counts one answer of the app's provider; for a dead-token answer, says whether the token may
   * be removed (false: the app looks misconfigured; keep its tokens).
   */
  record(app: string, dead: boolean): boolean {
    const now = this.#now();
    let window = this.#apps.get(app);
    if (!window || now - window.startedAt >= this.#windowMs) {
      window = { startedAt: now, sends: 0, dead: 0, trippedUntil: window?.trippedUntil ?? 0 };
      this.#apps.set(app, window);
    }
    window.sends += 1;
    if (dead) window.dead += 1;
    if (window.sends >= this.#minSends && window.dead / window.sends > this.#maxShare) window.trippedUntil = now + this.#windowMs;
    return !dead || now >= window.trippedUntil;
  }

  /** Whether the app's removals are suspended now. */
  suspended(app: string): boolean {
    return this.#now() < (this.#apps.get(app)?.trippedUntil ?? 0);
  }
}
