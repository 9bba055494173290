// Ends the live and resumable sessions whose token a revocation cut off, on every gateway instance.
// RevokeTokens writes the user's cutoff to the shared database; the instance that served the call
// applies it at once (`revoked`), every instance finds it within one poll period by asking the
// store for the cutoffs that moved since its previous poll (one indexed range query per period,
// whatever the number of sessions). A session whose token was issued before the cutoff is closed
// with 4004 (Authentication failed: the client must not reconnect with that token) and is not
// resumable; sessions with a token issued after it, and other users' sessions, are untouched.
//
// An IDENTIFY/RESUME that authenticated just before the cutoff was seen here (a cached auth state,
// or a request in flight) registers its session after the sweep: the applied cutoffs are kept for
// `retainMs`, and a session registered meanwhile with an older token is ended as well.
import { Counter } from '@switchboard/runtime';
import type { Logger, Registry } from '@switchboard/runtime';
import { CloseCodes } from '../protocol';
import type { SessionRegistryObserver } from '../session/session-registry';
import type { AuthStore } from './auth-store';

/** What a sweep needs of a session (session/session.ts). */
export interface RevocableSession {
  readonly userId: bigint;
  /** Unix seconds its token was issued at. */
  readonly tokenIssuedAt: number;
  readonly state: string;
  end(code: number, reason: string): void;
}

/** What a sweep needs of the session registry (session/session-registry.ts). */
export interface RevocableSessions {
  sessionsOf(userId: bigint): ReadonlySet<RevocableSession>;
  observe(observer: SessionRegistryObserver): () => void;
}

export const REVOKED_CLOSE_REASON = 'Authentication failed: token revoked.';

export interface RevocationSweeperOptions {
  store: Pick<AuthStore, 'revocationsSince'>;
  /** Told of every cutoff applied here, so this instance's next IDENTIFY reads it fresh. */
  cache?: { invalidate(userId: bigint): void };
  /** GATEWAY_REVOCATION_POLL (default 5 s). */
  intervalMs?: number;
  /**
   * Each poll re-reads this much before the previous poll's time: a revocation takes its clock
   * reading before it commits, so one committing during a poll may carry an earlier time.
   */
  overlapMs?: number;
  /** How long an applied cutoff still ends sessions registered after it (default 60 s). */
  retainMs?: number;
  metricsRegistry?: Registry;
  logger?: Logger;
  now?: () => number;
}

type Source = 'local' | 'poll' | 'late';

export class RevocationSweeper {
  readonly intervalMs: number;
  readonly #options: RevocationSweeperOptions;
  readonly #overlapMs: number;
  readonly #retainMs: number;
  readonly #now: () => number;
  /** userId → the latest cutoff applied here and until when it is checked against new sessions.
   * Re-inserted on change, so the map is in expiry order and is pruned from its front. */
  readonly #applied = new Map<bigint, { cutoff: number; until: number }>();
  readonly #closed: Counter | undefined;
  readonly #polls: Counter | undefined;
  #sessions: RevocableSessions | undefined;
  #unobserve: (() => void) | undefined;
  /** The store's time of the previous successful poll. */
  #cursor: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RevocationSweeperOptions) {
    this.#options = options;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.#overlapMs = options.overlapMs ?? Math.min(this.intervalMs, 2_000);
    this.#retainMs = options.retainMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    const registers = options.metricsRegistry ? [options.metricsRegistry] : undefined;
    if (registers) {
      this.#closed = new Counter({
        name: 'gateway_sessions_revoked_total',
        help: 'Sessions closed with 4004 because their token was revoked, by how the cutoff reached this instance: local (RevokeTokens served here), poll, late (session registered after the cutoff was applied).',
        labelNames: ['source'],
        registers,
      });
      this.#polls = new Counter({
        name: 'gateway_revocation_polls_total', help: 'Polls of the auth store for changed revocation cutoffs, by outcome (ok, error).',
        labelNames: ['outcome'], registers,
      });
    }
  }

  /** Users whose applied cutoff is still checked against new sessions (metrics, tests). */
  get trackedUsers(): number {
    return this.#applied.size;
  }

  /** Starts sweeping `sessions` and polling the store every `intervalMs`. */
  start(sessions: RevocableSessions): void {
    if (this.#sessions) throw new Error('RevocationSweeper already started');
    this.#sessions = sessions;
    this.#unobserve = sessions.observe({
      sessionAdded: (session) => this.#checkLate(session),
      sessionRemoved: () => {},
      subscribed: () => {},
      unsubscribed: () => {},
    });
    this.#schedule(0);
  }

  /** Stops polling (waits for a poll in progress). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#unobserve?.();
    await this.#polling;
  }

  /** A cutoff written through this instance (RevokeTokens): applied now. Returns the sessions closed. */
  revoked(userId: bigint, cutoff: number): number {
    return this.#apply(userId, cutoff, 'local');
  }

  /** One poll: the cutoffs changed since the previous one, applied. Rejects when the store fails. */
  async poll(): Promise<void> {
    const since = this.#cursor === undefined
      // No session predates this instance's start; only recently applied cutoffs matter (late check).
      ? this.#now() - this.#retainMs
      : this.#cursor - this.#overlapMs;
    const page = await this.#options.store.revocationsSince(since);
    this.#cursor = Math.max(page.asOfMs, this.#cursor ?? 0);
    for (const { userId, tokensValidAfter } of page.revocations) this.#apply(userId, tokensValidAfter, 'poll');
    this.#prune();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.poll().then(
        () => this.#polls?.inc({ outcome: 'ok' }),
        (error: unknown) => {
          this.#polls?.inc({ outcome: 'error' });
          this.#options.logger?.warn({ err: error }, 'revocation poll failed; retrying next period');
        },
      ).finally(() => {
        this.#polling = undefined;
        this.#schedule(this.intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  #apply(userId: bigint, cutoff: number, source: Source): number {
    const known = this.#applied.get(userId);
    // Already swept for this cutoff (the poll after a local RevokeTokens, or the poll overlap).
    if (known && known.cutoff >= cutoff) return 0;
    this.#applied.delete(userId);
    this.#applied.set(userId, { cutoff, until: this.#now() + this.#retainMs });
    this.#options.cache?.invalidate(userId);
    let closed = 0;
    // A copy: ending a session removes it from the registry's set.
    for (const session of [...(this.#sessions?.sessionsOf(userId) ?? [])]) {
      if (session.tokenIssuedAt >= cutoff || session.state === 'closed') continue;
      session.end(CloseCodes.AUTHENTICATION_FAILED.code, REVOKED_CLOSE_REASON);
      closed += 1;
    }
    if (closed > 0) {
      this.#closed?.inc({ source }, closed);
      this.#options.logger?.info({ userId: userId.toString(), cutoff, closed, source }, 'closed sessions of revoked tokens');
    }
    return closed;
  }

  #checkLate(session: RevocableSession): void {
    const applied = this.#applied.get(session.userId);
    if (!applied || applied.until <= this.#now() || session.tokenIssuedAt >= applied.cutoff) return;
    // Not inside the registry's add: the session is still sending READY / finishing its handoff.
    queueMicrotask(() => {
      if (session.state === 'closed') return;
      session.end(CloseCodes.AUTHENTICATION_FAILED.code, REVOKED_CLOSE_REASON);
      this.#closed?.inc({ source: 'late' });
    });
  }

  #prune(): void {
    const now = this.#now();
    for (const [userId, { until }] of this.#applied) {
      if (until > now) return;
      this.#applied.delete(userId);
    }
  }
}
