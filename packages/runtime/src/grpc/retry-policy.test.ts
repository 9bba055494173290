import { status } from '@grpc/grpc-js';
import { backoffMs, DEFAULT_RETRY_POLICY, nextRetryDelayMs, RETRYABLE_CODES, retryDelayMs, shouldRetry } from './retry-policy';
import type { RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 1_000, backoffMultiplier: 2, jitter: 0.2 };
const unavailable = { code: status.UNAVAILABLE, retryAfterMs: undefined };
const middle = (): number => 0.5; // no jitter: the spread's midpoint

describe('grpc – retry policy', () => {
  it('retries only UNAVAILABLE and RESOURCE_EXHAUSTED', () => {
    expect([...RETRYABLE_CODES].sort()).toEqual([status.RESOURCE_EXHAUSTED, status.UNAVAILABLE].sort());
    for (const code of Object.values(status).filter((value): value is status => typeof value === 'number')) {
      const expected = code === status.UNAVAILABLE || code === status.RESOURCE_EXHAUSTED;
      expect(shouldRetry({ code, retryAfterMs: 10 }, 1, true, policy)).toBe(expected);
    }
  });

  it('retries UNAVAILABLE for idempotent calls and never for others', () => {
    expect(shouldRetry(unavailable, 1, true, policy)).toBe(true);
    expect(shouldRetry(unavailable, 1, false, policy)).toBe(false);
  });

  it('retries RESOURCE_EXHAUSTED only when the server said when (RetryInfo)', () => {
    expect(shouldRetry({ code: status.RESOURCE_EXHAUSTED, retryAfterMs: undefined }, 1, true, policy)).toBe(false);
    expect(shouldRetry({ code: status.RESOURCE_EXHAUSTED, retryAfterMs: 500 }, 1, true, policy)).toBe(true);
  });

  it('stops after maxAttempts attempts in total', () => {
    expect(shouldRetry(unavailable, 3, true, policy)).toBe(true);
    expect(shouldRetry(unavailable, 4, true, policy)).toBe(false);
  });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, policy, middle))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitters each backoff within ±jitter', () => {
    expect(backoffMs(2, policy, () => 0)).toBe(160);
    expect(backoffMs(2, policy, () => 0.999_999)).toBe(240);
  });

  it('waits at least as long as the server asked', () => {
    expect(retryDelayMs({ code: status.RESOURCE_EXHAUSTED, retryAfterMs: 700 }, 1, policy, middle)).toBe(700);
    expect(retryDelayMs({ code: status.UNAVAILABLE, retryAfterMs: 10 }, 1, policy, middle)).toBe(100);
  });

  it('gives up when the next attempt could not start before the deadline', () => {
    expect(nextRetryDelayMs(unavailable, 1, true, policy, 1_100, 1_000, middle)).toBeUndefined();
    expect(nextRetryDelayMs(unavailable, 1, true, policy, 1_101, 1_000, middle)).toBe(100);
    expect(nextRetryDelayMs(unavailable, 1, false, policy, Infinity, 1_000, middle)).toBeUndefined();
  });

  it('has documented defaults: 4 attempts from 100 ms doubling', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ maxAttempts: 4, initialBackoffMs: 100, backoffMultiplier: 2 });
  });
});
