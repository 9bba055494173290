import { TokenRemovalGuard } from './token-removal-guard';

describe('TokenRemovalGuard', () => {
  it('lets dead tokens go while they are a minority of an app\'s answers', () => {
    const guard = new TokenRemovalGuard({ minSends: 10, maxShare: 0.5, now: () => 0 });
    const allowed = Array.from({ length: 100 }, (_, i) => guard.record('fcm/app', i % 10 === 0));
    expect(allowed.every(Boolean)).toBe(true);
    expect(guard.suspended('fcm/app')).toBe(false);
  });

  it('keeps an app\'s tokens once most of its answers in a window say dead, until a window passes', () => {
    let now = 0;
    const guard = new TokenRemovalGuard({ windowMs: 1_000, minSends: 10, maxShare: 0.5, now: () => now });
    // Below minSends nothing trips, even if every answer is dead.
    for (let i = 0; i < 9; i += 1) expect(guard.record('apns/ios', true)).toBe(true);
    expect(guard.record('apns/ios', true)).toBe(false); // the 10th: 10 of 10 dead
    expect(guard.suspended('apns/ios')).toBe(true);
    expect(guard.record('apns/other', true)).toBe(true); // other apps are unaffected
    now = 500;
    expect(guard.record('apns/ios', true)).toBe(false);
    now = 1_600; // a new window, and past the trip
    expect(guard.record('apns/ios', true)).toBe(true);
    expect(guard.suspended('apns/ios')).toBe(false);
  });
});
