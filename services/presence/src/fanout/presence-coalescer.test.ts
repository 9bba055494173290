// The coalescer: last write wins per user within a window, nothing is published for a user whose
// window ends where it began, failed windows are retried under newer changes, and delivery is
// confirmed to the outbox only after the guild service accepted the batch.
import { Registry } from '@switchboard/runtime';
import type { Presence } from '../aggregate';
import { OFFLINE } from '../aggregate';
import { CoalescerMetrics } from './coalescer-metrics';
import { PresenceCoalescer } from './presence-coalescer';
import type { PublishedPresence } from './presence-coalescer';

const presence = (status: Presence['status'], desktop?: Presence['status']): Presence => ({
  status, activities: [], clientStatus: desktop && desktop !== 'offline' ? { desktop } : {}, since: 0, afk: false,
});
const ONLINE = presence('online', 'online');
const IDLE = presence('idle', 'idle');
const DND = presence('dnd', 'dnd');

const started: PresenceCoalescer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

function harness(options: { maxBatch?: number } = {}) {
  const batches: PublishedPresence[][] = [];
  const delivered: { userId: bigint; revision: bigint }[][] = [];
  let failNext = 0;
  const metrics = new CoalescerMetrics(new Registry());
  const coalescer = new PresenceCoalescer({
    publisher: {
      publish: async (presences) => {
        if (failNext > 0) {
          failNext -= 1;
          throw new Error('guild service unavailable');
        }
        batches.push([...presences]);
      },
    },
    ledger: { markDelivered: async (entries) => void delivered.push([...entries]) },
    metrics,
    logger: { warn: () => undefined },
    // Long: the tests flush by hand unless they exercise the batch bound.
    windowMs: 60_000,
    maxBatch: options.maxBatch ?? 1000,
    retryBaseMs: 60_000,
  });
  started.push(coalescer);
  let revision = 0n;
  const change = (userId: bigint, next: Presence, previous: Presence | undefined = OFFLINE, partition = 0) =>
    coalescer.publish({ userId, presence: next, previous, revision: (revision += 1n), partition });
  return { coalescer, batches, delivered, metrics, change, failNextFlush: () => void (failNext += 1) };
}

describe('PresenceCoalescer', () => {
  it('publishes only the last presence of a user changed several times in one window', async () => {
    const h = harness();
    await h.change(1n, ONLINE, OFFLINE);
    await h.change(1n, IDLE, ONLINE);
    await h.change(1n, DND, IDLE);
    await h.change(2n, ONLINE, OFFLINE);
    await h.coalescer.flushNow();
    expect(h.batches).toEqual([[{ userId: 1n, presence: DND }, { userId: 2n, presence: ONLINE }]]);
    // Every revision's row is confirmed: the last of user 1 (its older ones were overwritten).
    expect(h.delivered).toEqual([[{ userId: 1n, revision: 3n }, { userId: 2n, revision: 4n }]]);
    expect((await h.metrics.ratio.get()).values[0]!.value).toBe(2);
  });

  it('publishes nothing for a user whose window ends on the presence it started with', async () => {
    const h = harness();
    await h.change(1n, IDLE, ONLINE);
    await h.change(1n, ONLINE, IDLE);
    await h.coalescer.flushNow();
    expect(h.batches).toEqual([]);
    expect(h.delivered).toEqual([[{ userId: 1n, revision: 2n }]]);
    expect((await h.metrics.suppressed.get()).values[0]!.value).toBe(1);
  });

  it('always publishes a change recovered from the outbox (its baseline is unknown)', async () => {
    const h = harness();
    await h.change(1n, ONLINE, undefined);
    await h.coalescer.flushNow();
    expect(h.batches).toEqual([[{ userId: 1n, presence: ONLINE }]]);
  });

  it('retries a window the guild service refused, under the newer change of the same user and with the older baseline', async () => {
    const h = harness();
    await h.change(1n, IDLE, ONLINE);
    h.failNextFlush();
    await h.coalescer.flushNow();
    expect(h.batches).toEqual([]);
    expect(h.delivered).toEqual([]); // not confirmed: the outbox keeps it pending
    await h.change(1n, DND, IDLE);
    await h.coalescer.flushNow();
    expect(h.batches).toEqual([[{ userId: 1n, presence: DND }]]);
    expect(h.delivered).toEqual([[{ userId: 1n, revision: 2n }]]);
    // Back to where the guilds are (online): the failed idle is not sent after all.
    const back = harness();
    await back.change(1n, IDLE, ONLINE);
    back.failNextFlush();
    await back.coalescer.flushNow();
    await back.change(1n, ONLINE, IDLE);
    await back.coalescer.flushNow();
    expect(back.batches).toEqual([]);
  });

  it('publishes a window at once when it holds max-batch users, in batches of at most that many', async () => {
    const h = harness({ maxBatch: 3 });
    for (let user = 1n; user <= 7n; user += 1n) await h.change(user, ONLINE, OFFLINE);
    await h.coalescer.flushNow();
    expect(h.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(h.batches.flat().map((p) => p.userId)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
  });

  it('forgets the undelivered changes of revoked partitions (their next owner publishes them from the outbox)', async () => {
    const h = harness();
    await h.change(1n, ONLINE, OFFLINE, 0);
    await h.change(2n, ONLINE, OFFLINE, 1);
    h.coalescer.revoked(new Set([1]));
    await h.coalescer.flushNow();
    expect(h.batches).toEqual([[{ userId: 1n, presence: ONLINE }]]);
    expect(h.coalescer.pendingUsers).toBe(0);
  });

  it('publishes on its own when the window elapses', async () => {
    const batches: PublishedPresence[][] = [];
    const coalescer = new PresenceCoalescer({
      publisher: { publish: async (p) => void batches.push([...p]) },
      ledger: { markDelivered: async () => undefined },
      metrics: new CoalescerMetrics(new Registry()),
      logger: { warn: () => undefined },
      windowMs: 20,
      maxBatch: 100,
    });
    await coalescer.publish({ userId: 5n, presence: ONLINE, previous: OFFLINE, revision: 1n, partition: 0 });
    const deadline = Date.now() + 5_000;
    while (batches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(batches).toEqual([[{ userId: 5n, presence: ONLINE }]]);
    await coalescer.stop();
  });
});
