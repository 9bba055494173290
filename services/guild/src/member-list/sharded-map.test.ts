import { ShardedMap } from './sharded-map';

describe('ShardedMap', () => {
  it('behaves like a Map for get, set, delete, size and values', () => {
    const map = new ShardedMap<string>();
    const model = new Map<bigint, string>();
    for (let i = 0n; i < 500n; i++) {
      const key = 175928847299117063n + i * 4194304n + (i % 7n);
      map.set(key, `v${i}`);
      model.set(key, `v${i}`);
      if (i % 3n === 0n) {
        expect(map.delete(key)).toBe(model.delete(key));
        expect(map.delete(key)).toBe(false);
      }
    }
    map.set(175928847299117063n + 4194304n, 'replaced');
    model.set(175928847299117063n + 4194304n, 'replaced');
    expect(map.size).toBe(model.size);
    for (const [key, value] of model) expect(map.get(key)).toBe(value);
    expect([...map.values()].sort()).toEqual([...model.values()].sort());
    expect(map.get(1n)).toBeUndefined();
  });
});
