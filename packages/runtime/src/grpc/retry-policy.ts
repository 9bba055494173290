import { status } from '@grpc/grpc-js';

// The shared client retry policy as pure functions (STYLE habit 6), so every decision is
// unit-testable without a network; retry-interceptor.ts applies them to real calls.

export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. */
  readonly maxAttempts: number;
  /** Backoff before the second attempt. */
  readonly initialBackoffMs: number;
  /** Cap on any single backoff. */
  readonly maxBackoffMs: number;
  /** Growth of the backoff per attempt. */
  readonly backoffMultiplier: number;
  /** Spread of each backoff: ±jitter of its value (0..1), so callers do not retry in lockstep. */
  readonly jitter: number;
}

/** 4 attempts over roughly 0.1 s + 0.2 s + 0.4 s; the call's deadline still bounds the total. */
export const DEFAULT_RETRY_POLICY = {
  maxAttempts: 4,
  initialBackoffMs: 100,
  maxBackoffMs: 5_000,
  backoffMultiplier: 2,
  jitter: 0.2,
} as const satisfies RetryPolicy;

/**
 * Codes a call may be retried on, and only when the caller marked it idempotent:
 * - UNAVAILABLE: the server is unreachable, restarting or draining; the standard "try again".
 * - RESOURCE_EXHAUSTED: only when the server attached google.rpc.RetryInfo, i.e. said a retry
 *   is safe and when; a bare quota error means "stop", and retrying would make it worse.
 * Everything else (DEADLINE_EXCEEDED, INTERNAL, ABORTED...) surfaces to the caller at once.
 */
export const RETRYABLE_CODES: ReadonlySet<status> = new Set([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED]);

/** What the policy needs to know about a failed attempt. */
export interface FailedAttempt {
  readonly code: status;
  /** From google.rpc.RetryInfo, when the server sent one. */
  readonly retryAfterMs: number | undefined;
}

/** Whether to make another attempt after `attempt` (1-based) failed as `failure`. */
export function shouldRetry(failure: FailedAttempt, attempt: number, idempotent: boolean, policy: RetryPolicy): boolean {
  if (!idempotent || attempt >= policy.maxAttempts || !RETRYABLE_CODES.has(failure.code)) return false;
  if (failure.code === status.RESOURCE_EXHAUSTED) return failure.retryAfterMs !== undefined;
  return true;
}

/** Exponential backoff with ±jitter before attempt `attempt + 1`. `random` returns [0, 1). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = policy.initialBackoffMs * policy.backoffMultiplier ** Math.max(0, attempt - 1);
  const base = Math.min(policy.maxBackoffMs, exponential);
  const spread = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(base * spread);
}

/** The wait before the next attempt: the backoff, but never sooner than the server asked. */
export function retryDelayMs(
  failure: FailedAttempt,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  return Math.max(backoffMs(attempt, policy, random), failure.retryAfterMs ?? 0);
}

/**
 * The full decision: the delay before the next attempt, or undefined to give up. A retry that
 * could not start before the call's deadline is not attempted (it would only fail later).
 */
export function nextRetryDelayMs(
  failure: FailedAttempt,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
  deadlineMs: number,
  now: number,
  random: () => number = Math.random,
): number | undefined {
  if (!shouldRetry(failure, attempt, idempotent, policy)) return undefined;
  const delay = retryDelayMs(failure, attempt, policy, random);
  return now + delay < deadlineMs ? delay : undefined;
}
