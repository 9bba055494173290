import { ExpiringMap } from './expiring-map';

describe('ExpiringMap', () => {
  it('forgets an entry once its time to live has passed', () => {
    let now = 1000;
    const map = new ExpiringMap<string, number>({ ttlMs: 100, maxEntries: 10, now: () => now });
    map.set('a', 1);
    now = 1099;
    expect(map.get('a')).toBe(1);
    now = 1100;
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it('restarts the lifetime of an entry that is set again', () => {
    let now = 0;
    const map = new ExpiringMap<string, number>({ ttlMs: 100, maxEntries: 10, now: () => now });
    map.set('a', 1);
    now = 80;
    map.set('a', 2);
    now = 150;
    expect(map.get('a')).toBe(2);
  });

  it('holds at most maxEntries, evicting the oldest first', () => {
    const map = new ExpiringMap<number, number>({ ttlMs: 1e9, maxEntries: 3, now: () => 0 });
    for (let i = 0; i < 5; i += 1) map.set(i, i);
    expect(map.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => map.has(i))).toEqual([false, false, true, true, true]);
  });
});
