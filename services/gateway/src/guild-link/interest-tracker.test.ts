// The interest table: refcounts per (scope, user) from registry callbacks and holds, netted per
// event-loop turn into one change, and the snapshot a reconnecting stream sends.
import type { Session } from '../session';
import { interestMessages, INTEREST_CHUNK, reconnectDelayMs } from './fanout-stream';
import { InterestTracker } from './interest-tracker';
import type { InterestDelta } from './interest-tracker';

const session = (userId: bigint) => ({ userId }) as Session;
const turn = () => new Promise((resolve) => setImmediate(resolve));
const keys = (delta: InterestDelta) => ({
  add: delta.add.map((pair) => `${pair.kind}:${pair.scopeId}:${pair.userId}`).sort(),
  remove: delta.remove.map((pair) => `${pair.kind}:${pair.scopeId}:${pair.userId}`).sort(),
});

describe('interest tracker', () => {
  it('announces a pair while at least one session holds it, in one netted change per turn', async () => {
    const tracker = new InterestTracker();
    const changes: InterestDelta[] = [];
    tracker.onChange((delta) => changes.push(delta));
    const a = session(7n);
    const b = session(7n);
    tracker.sessionAdded(a);
    tracker.subscribed(a, '100');
    tracker.sessionAdded(b);
    tracker.subscribed(b, '100');
    await turn();
    expect(changes.map(keys)).toEqual([{ add: ['g:100:7', 'u:7:7'], remove: [] }]);
    tracker.unsubscribed(a, '100');
    tracker.sessionRemoved(a);
    await turn();
    expect(changes).toHaveLength(1);
    tracker.unsubscribed(b, '100');
    tracker.sessionRemoved(b);
    await turn();
    expect(changes.map(keys)[1]).toEqual({ add: [], remove: ['g:100:7', 'u:7:7'] });
    expect(tracker.size).toBe(0);
  });

  it('sends nothing for a pair that came and went within one turn', async () => {
    const tracker = new InterestTracker();
    const changes: InterestDelta[] = [];
    tracker.onChange((delta) => changes.push(delta));
    const release = tracker.hold(['u:9:9']);
    release();
    release();
    await turn();
    expect(changes).toEqual([]);
  });

  it('keeps a held pair across the session taking it over, and gives the snapshot after flushing', () => {
    const tracker = new InterestTracker();
    const release = tracker.hold(['g:100:7']);
    expect(tracker.snapshot().map((pair) => pair.scopeId)).toEqual(['100']);
    tracker.subscribed(session(7n), '100');
    release();
    tracker.flush();
    expect(tracker.has('g:100:7')).toBe(true);
  });
});

describe('fanout stream helpers', () => {
  it(`chunks interest changes at ${INTEREST_CHUNK} per message`, () => {
    const pairs = Array.from({ length: INTEREST_CHUNK * 2 + 1 }, (_, i) => ({ kind: 'u' as const, scopeId: String(i), userId: String(i) }));
    const messages = interestMessages(pairs, pairs.slice(0, 3));
    const sizes = messages.map((message) => {
      const change = message.kind?.case === 'interest' ? message.kind.value : undefined;
      return [change?.add?.length ?? 0, change?.remove?.length ?? 0];
    });
    expect(sizes).toEqual([[INTEREST_CHUNK, 0], [INTEREST_CHUNK, 0], [1, 0], [0, 3]]);
  });

  it('backs off exponentially with jitter up to the cap', () => {
    const policy = { initialMs: 100, maxMs: 10_000 };
    expect(reconnectDelayMs(0, policy, () => 0)).toBe(50);
    expect(reconnectDelayMs(0, policy, () => 1)).toBe(100);
    expect(reconnectDelayMs(3, policy, () => 1)).toBe(800);
    expect(reconnectDelayMs(50, policy, () => 1)).toBe(10_000);
    expect(reconnectDelayMs(50, policy, () => 0)).toBe(5_000);
  });

  it('nets activations per turn like interests, keeps them apart from interests, and snapshots them', async () => {
    const tracker = new InterestTracker();
    const changes: InterestDelta[] = [];
    tracker.onChange((delta) => changes.push(delta));
    const pairs = (list: InterestDelta['activate']) => (list ?? []).map((pair) => `${pair.kind}:${pair.scopeId}:${pair.userId}`);
    tracker.activate('100', 7n);
    tracker.activate('100', 7n);
    tracker.activate('200', 7n);
    tracker.deactivate('200', 7n);
    await turn();
    expect(changes.map((delta) => [keys(delta), pairs(delta.activate), pairs(delta.deactivate)])).toEqual([
      [{ add: [], remove: [] }, ['g:100:7'], []],
    ]);
    expect(tracker.activeSnapshot().map((pair) => pair.scopeId)).toEqual(['100']);
    expect(tracker.snapshot()).toEqual([]);
    tracker.deactivate('100', 7n);
    await turn();
    expect(changes).toHaveLength(1);
    tracker.deactivate('100', 7n);
    await turn();
    expect(pairs(changes[1]!.deactivate)).toEqual(['g:100:7']);
    expect(tracker.activeSnapshot()).toEqual([]);
  });

  it('orders a change\'s messages add, activate, deactivate, remove', () => {
    const pair = (scopeId: string) => ({ kind: 'g' as const, scopeId, userId: '7' });
    const messages = interestMessages([pair('1')], [pair('4')], [pair('2')], [pair('3')]);
    const fields = messages.map((message) => {
      const change = message.kind!.value as Record<string, unknown[] | undefined>;
      return ['add', 'activate', 'deactivate', 'remove'].filter((field) => (change[field]?.length ?? 0) > 0);
    });
    expect(fields).toEqual([['add'], ['activate'], ['deactivate'], ['remove']]);
  });
});
