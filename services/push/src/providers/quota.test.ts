import { ManualClock, flush } from './__tests__/manual-clock';
import { QuotaLimiters, QuotaQueueFullError, QuotaWaitAbortedError, TokenBucket } from './quota';

function track(bucket: TokenBucket, count: number, signal?: AbortSignal): { granted: number[]; errors: unknown[] } {
  const granted: number[] = [];
  const errors: unknown[] = [];
  for (let i = 0; i < count; i += 1) {
    bucket.acquire(signal).then(
      () => granted.push(i),
      (error: unknown) => errors.push(error),
    );
  }
  return { granted, errors };
}

describe('TokenBucket', () => {
  test('lets the burst through at once and releases the rest one per refill interval, first come first served', async () => {
    const clock = new ManualClock();
    // 60 a minute = one a second.
    const bucket = new TokenBucket('fcm:p', { ratePerMinute: 60, burst: 2, clock });
    const { granted, errors } = track(bucket, 5);
    await flush();
    expect(granted).toEqual([0, 1]);
    expect(bucket.waiting).toBe(3);

    clock.advance(999);
    await flush();
    expect(granted).toEqual([0, 1]);
    clock.advance(1);
    await flush();
    expect(granted).toEqual([0, 1, 2]);
    clock.advance(2000);
    await flush();
    expect(granted).toEqual([0, 1, 2, 3, 4]);
    expect(errors).toEqual([]);
  });

  test('never grants more than the burst plus the rate over any span', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket('apns:app', { ratePerMinute: 600, burst: 5, clock });
    const { granted } = track(bucket, 500);
    for (let ms = 0; ms < 10_000; ms += 100) {
      clock.advance(100);
      await flush();
    }
    // 10 s at 10 a second after the initial burst of 5.
    expect(granted).toHaveLength(105);
    expect(granted).toEqual([...granted].sort((a, b) => a - b));
  });

  test('a new caller queues behind waiters even when a token has refilled', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket('k', { ratePerMinute: 60, burst: 1, clock });
    const order: string[] = [];
    void bucket.acquire().then(() => order.push('first'));
    void bucket.acquire().then(() => order.push('second'));
    await flush();
    clock.advance(1000);
    void bucket.acquire().then(() => order.push('third'));
    await flush();
    clock.advance(1000);
    await flush();
    expect(order).toEqual(['first', 'second', 'third']);
  });

  test('refuses a caller when the wait queue is full, with an estimate of when to come back', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket('fcm:p', { ratePerMinute: 60, burst: 1, maxWaiting: 2, clock });
    const { granted, errors } = track(bucket, 4);
    await flush();
    expect(granted).toEqual([0]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QuotaQueueFullError);
    // Two waiting ahead at one a second.
    expect((errors[0] as QuotaQueueFullError).retryAfterMs).toBe(3000);
  });

  test('an aborted waiter leaves the queue and does not consume a slot', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket('k', { ratePerMinute: 60, burst: 1, clock });
    const controller = new AbortController();
    const first = track(bucket, 1);
    const aborted = track(bucket, 1, controller.signal);
    const last = track(bucket, 1);
    await flush();
    controller.abort();
    await flush();
    expect(aborted.errors[0]).toBeInstanceOf(QuotaWaitAbortedError);
    expect(bucket.waiting).toBe(1);
    clock.advance(1000);
    await flush();
    expect(first.granted).toEqual([0]);
    expect(last.granted).toEqual([0]);
  });

  test('close refuses every waiter', async () => {
    const bucket = new TokenBucket('k', { ratePerMinute: 60, burst: 1, clock: new ManualClock() });
    const { errors } = track(bucket, 3);
    bucket.close();
    await flush();
    expect(errors).toHaveLength(2);
  });

  test('refuses a non-positive rate', () => {
    expect(() => new TokenBucket('k', { ratePerMinute: 0 })).toThrow(/ratePerMinute/);
  });
});

describe('QuotaLimiters', () => {
  test('keeps one bucket per key with its own rate', () => {
    const limiters = new QuotaLimiters({ ratePerMinute: 600_000, clock: new ManualClock() });
    expect(limiters.bucket('fcm:a')).toBe(limiters.bucket('fcm:a'));
    expect(limiters.bucket('fcm:b', 120).ratePerMinute).toBe(120);
    expect(limiters.bucket('fcm:a').burst).toBe(10_000);
  });
});
