// Each user gets `total` session starts per window, counted from the first IDENTIFY; the snapshot
// is what GET /gateway/bot reports; expired windows are forgotten.
import { SessionStartLimit } from './session-start-limit';

describe('SessionStartLimit', () => {
  let now: number;
  let limit: SessionStartLimit;
  beforeEach(() => {
    now = 1_000_000;
    limit = new SessionStartLimit({ total: 3, windowMs: 60_000, maxConcurrency: 16, now: () => now });
  });

  it('reports a full budget for a user who never started a session', () => {
    expect(limit.snapshot(1n)).toEqual({ total: 3, remaining: 3, reset_after: 60_000, max_concurrency: 16 });
  });

  it('counts down per user and refuses past the total with the time left', () => {
    expect(limit.consume(1n)).toEqual({ allowed: true, remaining: 2 });
    now += 10_000;
    expect(limit.consume(1n)).toEqual({ allowed: true, remaining: 1 });
    expect(limit.consume(1n)).toEqual({ allowed: true, remaining: 0 });
    expect(limit.consume(1n)).toEqual({ allowed: false, resetAfterMs: 50_000 });
    expect(limit.snapshot(1n)).toEqual({ total: 3, remaining: 0, reset_after: 50_000, max_concurrency: 16 });
    expect(limit.consume(2n)).toEqual({ allowed: true, remaining: 2 });
  });

  it('refills when the window ends and forgets expired users', () => {
    for (let i = 0; i < 3; i += 1) limit.consume(1n);
    limit.consume(2n);
    now += 60_000;
    expect(limit.snapshot(1n).remaining).toBe(3);
    expect(limit.consume(3n)).toEqual({ allowed: true, remaining: 2 });
    expect(limit.trackedUsers).toBe(1);
    expect(limit.consume(1n)).toEqual({ allowed: true, remaining: 2 });
  });

  it('defaults to Discord-like numbers', () => {
    expect(new SessionStartLimit().snapshot(1n)).toEqual({ total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 });
  });
});
