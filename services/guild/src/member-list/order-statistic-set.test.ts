import { OrderStatisticSet } from './order-statistic-set';
import { seededRandom } from './seeded-random';


const byNumber = (a: number, b: number) => a - b;

function sortedInsert(array: number[], key: number): boolean {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (array[middle]! < key) low = middle + 1;
    else high = middle;
  }
  if (array[low] === key) return false;
  array.splice(low, 0, key);
  return true;
}

function runAgainstSortedArray(seed: number, operations: number, keySpace: number, nodeCapacity: number, prefix?: (key: number) => number): void {
  const random = seededRandom(seed);
  const set = new OrderStatisticSet(byNumber, prefix ? { nodeCapacity, prefix } : { nodeCapacity });
  const model: number[] = [];
  for (let step = 0; step < operations; step++) {
    const key = Math.floor(random() * keySpace);
    const choice = random();
    if (choice < 0.25) {
      expect(set.add(key)).toBe(sortedInsert(model, key));
    } else if (choice < 0.5) {
      const added = sortedInsert(model, key);
      expect(set.insert(key)).toBe(added ? model.indexOf(key) : -1);
    } else if (choice < 0.65) {
      const index = model.indexOf(key);
      if (index >= 0) model.splice(index, 1);
      expect(set.delete(key)).toBe(index >= 0);
    } else if (choice < 0.85) {
      const index = model.indexOf(key);
      if (index >= 0) model.splice(index, 1);
      expect(set.remove(key)).toBe(index);
    } else {
      const index = Math.floor(random() * (model.length + 2)) - 1;
      expect(set.at(index)).toBe(model[index]);
      expect(set.rank(key)).toBe(model.indexOf(key));
      const start = Math.floor(random() * (model.length + 1));
      expect(set.slice(start, start + 7)).toEqual(model.slice(start, start + 7));
    }
    expect(set.size).toBe(model.length);
    if (step % 97 === 0) set.assertValid();
  }
  set.assertValid();
  expect([...set]).toEqual(model);
  model.forEach((key, index) => {
    expect(set.rank(key)).toBe(index);
    expect(set.at(index)).toBe(key);
  });
}

describe('OrderStatisticSet', () => {
  it.each([
    [1, 4],
    [2, 5],
    [3, 8],
    [4, 64],
  ])('matches a sorted array over random inserts, deletes (reporting indexes), rank, at and slice (seed %i, node capacity %i)', (seed, capacity) => {
    runAgainstSortedArray(seed, 6000, 1500, capacity);
  });

  it.each([
    [5, 4],
    [6, 7],
    [7, 64],
  ])('matches a sorted array when searches compare a coarse numeric prefix first (seed %i, node capacity %i)', (seed, capacity) => {
    runAgainstSortedArray(seed, 6000, 1500, capacity, (key) => Math.floor(key / 10));
  });

  it('stays valid while growing to many entries and shrinking back to empty', () => {
    const random = seededRandom(9);
    const set = new OrderStatisticSet(byNumber, { nodeCapacity: 6 });
    const keys = Array.from({ length: 5000 }, (_, i) => i).sort(() => random() - 0.5);
    for (const key of keys) expect(set.add(key)).toBe(true);
    set.assertValid();
    expect(set.at(4321)).toBe(4321);
    expect(set.rank(1234)).toBe(1234);
    for (const key of keys.slice(0, 4990)) expect(set.delete(key)).toBe(true);
    set.assertValid();
    expect([...set]).toEqual(keys.slice(4990).sort(byNumber));
    for (const key of keys.slice(4990)) set.delete(key);
    expect(set.size).toBe(0);
    expect([...set]).toEqual([]);
    set.assertValid();
  });

  it('orders by the comparator it was given and rejects equal keys', () => {
    const set = new OrderStatisticSet<{ name: string; id: bigint }>((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    expect(set.add({ name: 'b', id: 1n })).toBe(true);
    expect(set.add({ name: 'a', id: 2n })).toBe(true);
    expect(set.add({ name: 'a', id: 1n })).toBe(true);
    expect(set.add({ name: 'a', id: 1n })).toBe(false);
    expect(set.slice(0).map((k) => `${k.name}${k.id}`)).toEqual(['a1', 'a2', 'b1']);
    expect(set.rank({ name: 'a', id: 2n })).toBe(1);
    expect(set.rank({ name: 'c', id: 2n })).toBe(-1);
  });

  it('rejects a node capacity too small to split', () => {
    expect(() => new OrderStatisticSet(byNumber, { nodeCapacity: 3 })).toThrow(RangeError);
  });
});
