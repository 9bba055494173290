// One IDENTIFY per rate-limit bucket (shard_id % max_concurrency) per user per 5 s; refused ones
// get op 9 from the caller. Uses jest's fake clock.
import { IdentifyThrottle } from './identify-throttle';

describe('IdentifyThrottle', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('admits one identify per user per 5 s with max_concurrency 1', () => {
    const throttle = new IdentifyThrottle();
    expect(throttle.tryIdentify(1n, 0)).toBe(true);
    expect(throttle.tryIdentify(1n, 1)).toBe(false); // shard 1 % 1 = the same bucket
    expect(throttle.acquire(1n, 0)).toBe(5_000);
    jest.advanceTimersByTime(4_999);
    expect(throttle.tryIdentify(1n, 0)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(throttle.tryIdentify(1n, 0)).toBe(true);
  });

  it('keeps users apart', () => {
    const throttle = new IdentifyThrottle();
    expect(throttle.tryIdentify(1n)).toBe(true);
    expect(throttle.tryIdentify(2n)).toBe(true);
  });

  it('gives max_concurrency buckets keyed by shard_id % max_concurrency', () => {
    const throttle = new IdentifyThrottle({ maxConcurrency: 16 });
    for (let shard = 0; shard < 16; shard += 1) expect(throttle.tryIdentify(7n, shard)).toBe(true);
    expect(throttle.tryIdentify(7n, 16)).toBe(false); // bucket 0 again
    expect(throttle.tryIdentify(7n, 33)).toBe(false); // bucket 1
    jest.advanceTimersByTime(5_000);
    expect(throttle.tryIdentify(7n, 16)).toBe(true);
  });

  it('takes max_concurrency from the caller when given', () => {
    const throttle = new IdentifyThrottle();
    expect(throttle.tryIdentify(7n, 0, 2)).toBe(true);
    expect(throttle.tryIdentify(7n, 1, 2)).toBe(true);
    expect(throttle.tryIdentify(7n, 2, 2)).toBe(false);
  });

  it('forgets buckets once their interval passed (memory stays bounded)', () => {
    const throttle = new IdentifyThrottle();
    for (let user = 0n; user < 1000n; user += 1n) throttle.tryIdentify(user);
    expect(throttle.trackedBuckets).toBe(1000);
    jest.advanceTimersByTime(5_000);
    throttle.tryIdentify(5000n);
    expect(throttle.trackedBuckets).toBe(1);
  });
});
