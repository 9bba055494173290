// The auth cache serves repeated IDENTIFYs from memory, sees writes through this instance at once,
// sees writes through other instances within its TTL, shares concurrent misses and caches no failure.
import type { AuthStore, UserAuthState } from './auth-store';
import { MemoryAuthStore } from './auth-store';
import { CachingAuthStore } from './caching-auth-store';

const USER = 42n;

describe('CachingAuthStore', () => {
  let now: number;
  let shared: MemoryAuthStore;
  let cache: CachingAuthStore;
  beforeEach(() => {
    now = 1_000_000;
    shared = new MemoryAuthStore();
    cache = new CachingAuthStore(shared, { ttlMs: 5_000, now: () => now });
  });

  it('reads the store once per TTL', async () => {
    await cache.userAuth(USER);
    await cache.userAuth(USER);
    now += 4_999;
    await cache.userAuth(USER);
    expect(shared.reads).toBe(1);
    now += 1;
    await cache.userAuth(USER);
    expect(shared.reads).toBe(2);
  });

  it('applies writes made through it immediately', async () => {
    await cache.userAuth(USER);
    await cache.revokeTokens(USER, 99);
    expect((await cache.userAuth(USER)).tokensValidAfter).toBe(99);
    await cache.setPrivilegedIntents(USER, 2);
    expect((await cache.userAuth(USER)).privilegedIntents).toBe(2);
  });

  it('sees a write made through another instance within the TTL (the staleness bound)', async () => {
    await cache.userAuth(USER);
    await shared.revokeTokens(USER, 77); // another gateway instance, same database
    expect((await cache.userAuth(USER)).tokensValidAfter).toBe(0); // stale, allowed for < TTL
    now += 5_000;
    expect((await cache.userAuth(USER)).tokensValidAfter).toBe(77);
  });

  it('shares one query among concurrent misses', async () => {
    await Promise.all(Array.from({ length: 50 }, () => cache.userAuth(USER)));
    expect(shared.reads).toBe(1);
  });

  it('does not cache a failed read', async () => {
    let fail = true;
    const flaky: AuthStore = {
      userAuth: (id) => (fail ? Promise.reject(new Error('db down')) : shared.userAuth(id)),
      revokeTokens: (id, after) => shared.revokeTokens(id, after),
      setPrivilegedIntents: (id, intents) => shared.setPrivilegedIntents(id, intents),
      revocationsSince: (since) => shared.revocationsSince(since),
    };
    const flakyCache = new CachingAuthStore(flaky, { ttlMs: 5_000, now: () => now });
    await expect(flakyCache.userAuth(USER)).rejects.toThrow('db down');
    fail = false;
    await expect(flakyCache.userAuth(USER)).resolves.toEqual({ tokensValidAfter: 0, privilegedIntents: 0 });
  });

  it('hands out copies, so a caller cannot corrupt the cache', async () => {
    const first: UserAuthState = await cache.userAuth(USER);
    first.privilegedIntents = 1 << 15;
    expect((await cache.userAuth(USER)).privilegedIntents).toBe(0);
  });

  it('bounds its size, dropping the oldest users first', async () => {
    const small = new CachingAuthStore(shared, { ttlMs: 5_000, maxEntries: 3, now: () => now });
    for (const id of [1n, 2n, 3n, 4n]) await small.userAuth(id);
    expect(small.size).toBe(3);
    const reads = shared.reads;
    await small.userAuth(4n);
    await small.userAuth(1n);
    expect(shared.reads).toBe(reads + 1);
  });
});
