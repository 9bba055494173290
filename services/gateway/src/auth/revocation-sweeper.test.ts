// RevocationSweeper against the memory store and a stand-in registry: what a poll ends and what it
// leaves, that one cutoff is applied once, that a session registering just after a cutoff is still
// ended, and that a failing store is retried next period.
import { Registry } from '@switchboard/runtime';
import type { SessionRegistryObserver } from '../session/session-registry';
import { MemoryAuthStore } from './auth-store';
import type { RevocableSession, RevocableSessions } from './revocation-sweeper';
import { REVOKED_CLOSE_REASON, RevocationSweeper } from './revocation-sweeper';

class FakeSession implements RevocableSession {
  state = 'ready';
  endedWith: [number, string] | undefined;
  constructor(readonly userId: bigint, readonly tokenIssuedAt: number, private readonly registry: FakeRegistry) {}
  end(code: number, reason: string): void {
    this.endedWith = [code, reason];
    this.state = 'closed';
    this.registry.byUser.get(this.userId)?.delete(this);
  }
}

class FakeRegistry implements RevocableSessions {
  readonly byUser = new Map<bigint, Set<FakeSession>>();
  observers: SessionRegistryObserver[] = [];
  add(userId: bigint, issuedAt: number): FakeSession {
    const session = new FakeSession(userId, issuedAt, this);
    if (!this.byUser.has(userId)) this.byUser.set(userId, new Set());
    this.byUser.get(userId)!.add(session);
    for (const observer of this.observers) observer.sessionAdded(session as never);
    return session;
  }
  sessionsOf(userId: bigint): ReadonlySet<RevocableSession> {
    return this.byUser.get(userId) ?? new Set();
  }
  observe(observer: SessionRegistryObserver): () => void {
    this.observers.push(observer);
    return () => (this.observers = this.observers.filter((o) => o !== observer));
  }
}

const USER = 11n;
const OTHER = 12n;
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('RevocationSweeper', () => {
  let now: number;
  let store: MemoryAuthStore;
  let registry: FakeRegistry;
  let invalidated: bigint[];
  let metrics: Registry;
  let sweeper: RevocationSweeper;

  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryAuthStore({ now: () => now });
    registry = new FakeRegistry();
    invalidated = [];
    metrics = new Registry();
    sweeper = new RevocationSweeper({
      store, cache: { invalidate: (id) => invalidated.push(id) }, intervalMs: 3_600_000, retainMs: 60_000, now: () => now, metricsRegistry: metrics,
    });
  });
  afterEach(() => sweeper.stop());

  it('ends, on a poll, only the sessions of the revoked user whose token predates the cutoff, with 4004', async () => {
    sweeper.start(registry);
    await sweeper.poll();
    const old = registry.add(USER, 100);
    const fresh = registry.add(USER, 200);
    const other = registry.add(OTHER, 100);
    now += 1_000;
    await store.revokeTokens(USER, 150);
    await sweeper.poll();
    expect(old.endedWith).toEqual([4004, REVOKED_CLOSE_REASON]);
    expect(fresh.endedWith).toBeUndefined();
    expect(other.endedWith).toBeUndefined();
    expect(invalidated).toEqual([USER]);
    expect(await metrics.getSingleMetricAsString('gateway_sessions_revoked_total')).toMatch(/source="poll"\} 1/);
  });

  it('applies a cutoff once: the poll after a local revocation, or an overlapping poll, does nothing more', async () => {
    sweeper.start(registry);
    await sweeper.poll();
    registry.add(USER, 100);
    now += 1_000;
    await store.revokeTokens(USER, 150);
    expect(sweeper.revoked(USER, 150)).toBe(1);
    await sweeper.poll();
    await sweeper.poll();
    expect(invalidated).toEqual([USER]);
    expect(await metrics.getSingleMetricAsString('gateway_sessions_revoked_total')).not.toMatch(/source="poll"/);
  });

  it('ends a session registered after the cutoff was applied with a token from before it', async () => {
    sweeper.start(registry);
    sweeper.revoked(USER, 150);
    const late = registry.add(USER, 100);
    const lateButFresh = registry.add(USER, 150);
    expect(late.endedWith).toBeUndefined(); // not inside the registry's add
    await flush();
    expect(late.endedWith).toEqual([4004, REVOKED_CLOSE_REASON]);
    expect(lateButFresh.endedWith).toBeUndefined();
    now += 60_000;
    await sweeper.poll();
    expect(sweeper.trackedUsers).toBe(0);
    const muchLater = registry.add(USER, 100);
    await flush();
    expect(muchLater.endedWith).toBeUndefined();
  });

  it('keeps its place when the store fails, and finds the cutoff on the next poll', async () => {
    const failing = { fail: false };
    const flaky = new RevocationSweeper({
      store: { revocationsSince: (since) => (failing.fail ? Promise.reject(new Error('db down')) : store.revocationsSince(since)) },
      intervalMs: 3_600_000,
      now: () => now,
    });
    flaky.start(registry);
    await flaky.poll();
    const session = registry.add(USER, 100);
    now += 1_000;
    await store.revokeTokens(USER, 150);
    now += 1_000;
    failing.fail = true;
    await expect(flaky.poll()).rejects.toThrow('db down');
    now += 3_600_000;
    failing.fail = false;
    await flaky.poll();
    expect(session.endedWith).toEqual([4004, REVOKED_CLOSE_REASON]);
    await flaky.stop();
  });

  it('polls on its own every interval once started', async () => {
    const polling = new RevocationSweeper({ store, intervalMs: 10 });
    const session = registry.add(USER, 100);
    polling.start(registry);
    await store.revokeTokens(USER, 150);
    const deadline = Date.now() + 5_000;
    while (session.state !== 'closed' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await polling.stop();
    expect(session.endedWith).toEqual([4004, REVOKED_CLOSE_REASON]);
  });
});
