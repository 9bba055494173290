import { partitionFor } from '@switchboard/runtime';
import { FakeLoader, FakeScopeState } from './fanout-test-support';
import { ScopeStateCache } from './scope-state';

describe('fanout – guild state cache', () => {
  it('loads a guild once, and again after it was dropped', async () => {
    const loader = new FakeLoader(new Map([[1n, new FakeScopeState({ members: [] })]]));
    const cache = new ScopeStateCache(loader);
    await cache.get(1n);
    await cache.get(1n);
    cache.drop(1n);
    await cache.get(1n);
    expect(loader.loads).toEqual([1n, 1n]);
  });

  it('does not remember that a guild was missing (its creation may not have committed yet)', async () => {
    const loader = new FakeLoader(new Map());
    const cache = new ScopeStateCache(loader);
    expect(await cache.get(7n)).toBeUndefined();
    loader.states.set(7n, new FakeScopeState({ members: [1n] }));
    expect(await cache.get(7n)).toBeDefined();
  });

  it('forgets exactly the guilds of revoked partitions', async () => {
    const guilds = Array.from({ length: 20 }, (_, i) => BigInt(1000 + i));
    const loader = new FakeLoader(new Map(guilds.map((g) => [g, new FakeScopeState({ members: [] })])));
    const cache = new ScopeStateCache(loader);
    for (const g of guilds) await cache.get(g);
    const revoked = new Set([0, 2]);
    const inRevoked = guilds.filter((g) => revoked.has(partitionFor(`g:${g}`, 4)));
    expect(inRevoked.length).toBeGreaterThan(0);
    expect(cache.dropPartitions(revoked, 4)).toBe(inRevoked.length);
    for (const g of guilds) expect(cache.has(g)).toBe(!inRevoked.includes(g));
  });
});
