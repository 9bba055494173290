import { RetryPolicy } from './retry-policy';

describe('RetryPolicy', () => {
  it('draws a full-jitter delay below base·2^(attempt−1), capped', () => {
    const high = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map((a) => high.next(a))).toEqual(
      [99, 199, 399, 799, 999, 999].map((delayMs) => ({ kind: 'retry', delayMs })),
    );
    const low = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10, random: () => 0 });
    expect(low.next(4)).toEqual({ kind: 'retry', delayMs: 0 });
  });

  it('waits at least the provider Retry-After, even above the backoff cap', () => {
    const policy = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
    expect(policy.next(1, 5000)).toEqual({ kind: 'retry', delayMs: 5000 });
    expect(policy.next(4, 10)).toEqual({ kind: 'retry', delayMs: 400 });
  });

  it('gives up after maxAttempts sends', () => {
    const policy = new RetryPolicy({ maxAttempts: 3 });
    expect(policy.next(2).kind).toBe('retry');
    expect(policy.next(3)).toMatchObject({ kind: 'give-up', reason: 'retries-exhausted' });
  });

  it('gives up at once when the provider asks to wait longer than maxRetryAfterMs', () => {
    const policy = new RetryPolicy({ maxRetryAfterMs: 60_000 });
    expect(policy.next(1, 60_001)).toMatchObject({ kind: 'give-up', reason: 'retry-after-too-long' });
  });

  it('refuses nonsensical settings', () => {
    expect(() => new RetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => new RetryPolicy({ baseDelayMs: 500, maxDelayMs: 100 })).toThrow(RangeError);
  });
});
