import { HeartbeatWheel, WHEEL_UNSCHEDULED } from './heartbeat-wheel';

const entry = () => ({ wheelSlot: WHEEL_UNSCHEDULED, wheelDeadline: 0, fired: 0, onWheelDeadline() { this.fired += 1; } });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('gateway heartbeat wheel', () => {
  it('fires an entry within two ticks after its deadline, once', () => {
    const wheel = new HeartbeatWheel({ tickMs: 1000, horizonMs: 60_000, now: () => Date.now() });
    const e = entry();
    wheel.schedule(e, Date.now() + 5_000);
    jest.advanceTimersByTime(4_000);
    expect(e.fired).toBe(0);
    jest.advanceTimersByTime(3_000);
    expect(e.fired).toBe(1);
    jest.advanceTimersByTime(60_000);
    expect(e.fired).toBe(1);
  });

  it('reschedules in O(1) and uses one timer for every entry', () => {
    const wheel = new HeartbeatWheel({ tickMs: 1000, horizonMs: 60_000, now: () => Date.now() });
    const entries = Array.from({ length: 1000 }, entry);
    for (const e of entries) wheel.schedule(e, Date.now() + 10_000);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(8_000);
    for (const e of entries.slice(0, 500)) wheel.schedule(e, Date.now() + 10_000);
    jest.advanceTimersByTime(4_000);
    expect(entries.filter((e) => e.fired === 1)).toHaveLength(500);
    expect(wheel.size).toBe(500);
  });

  it('handles deadlines beyond the horizon by waiting extra laps, and stops its timer when empty', () => {
    const wheel = new HeartbeatWheel({ tickMs: 1000, horizonMs: 10_000, now: () => Date.now() });
    const e = entry();
    wheel.schedule(e, Date.now() + 25_000);
    jest.advanceTimersByTime(24_000);
    expect(e.fired).toBe(0);
    jest.advanceTimersByTime(3_000);
    expect(e.fired).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('cancel removes an entry', () => {
    const wheel = new HeartbeatWheel({ tickMs: 1000, horizonMs: 10_000, now: () => Date.now() });
    const e = entry();
    wheel.schedule(e, Date.now() + 2_000);
    wheel.cancel(e);
    jest.advanceTimersByTime(5_000);
    expect(e.fired).toBe(0);
    expect(wheel.size).toBe(0);
  });
});
