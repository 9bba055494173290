import { PushAbandonedError } from './abort';
import { InFlightLimiter } from './in-flight-limiter';

const open = () => new AbortController().signal;

describe('InFlightLimiter', () => {
  it('grants up to the limit at once and the rest in arrival order as slots free', async () => {
    const seen: number[] = [];
    const limiter = new InFlightLimiter(2, (n) => seen.push(n));
    const a = await limiter.acquire(open());
    const b = await limiter.acquire(open());
    const order: string[] = [];
    const c = limiter.acquire(open()).then((release) => (order.push('c'), release));
    const d = limiter.acquire(open()).then((release) => (order.push('d'), release));
    await Promise.resolve();
    expect(limiter.inUse).toBe(2);
    expect(limiter.waiting).toBe(2);
    a();
    a(); // releasing twice frees one slot only
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(limiter.inUse).toBe(0);
    expect(Math.max(...seen)).toBe(2);
  });

  it('drops a waiter whose signal aborts, rejecting it as abandoned', async () => {
    const limiter = new InFlightLimiter(1);
    const held = await limiter.acquire(open());
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(PushAbandonedError);
    expect(limiter.waiting).toBe(0);
    held();
    expect(limiter.inUse).toBe(0);
  });
});
