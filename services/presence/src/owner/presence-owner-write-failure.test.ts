// The owner writes a session row and the change's outbox row at once. A failed session write is
// undone in memory, so the retry writes it again (the cache never runs ahead of PostgreSQL), and
// an announcement that went through is not made twice.
import { MemoryEventLog, Registry, silentEventLogLogger } from '@switchboard/runtime';
import { openPgliteTestDatabase } from '../testing/presence-database';
import type { TestPresenceDatabase } from '../testing/presence-database';
import { SessionStore } from '../store';
import { RecordingPresenceSink } from './change-sink';
import { PresenceMetrics } from './owner-metrics';
import { publishSessionEvents, until } from './owner-test-support';
import { PresenceOwner } from './presence-owner';

const TOPIC = 'test.presence.write-failure';

class FlakyStore extends SessionStore {
  failUpserts = 0;
  failDeletes = 0;
  override async deleteSession(...args: Parameters<SessionStore['deleteSession']>): Promise<void> {
    if (this.failDeletes > 0) {
      this.failDeletes -= 1;
      throw new Error('connection reset');
    }
    return super.deleteSession(...args);
  }

  override async upsertSession(...args: Parameters<SessionStore['upsertSession']>): Promise<void> {
    if (this.failUpserts > 0) {
      this.failUpserts -= 1;
      throw new Error('connection reset');
    }
    return super.upsertSession(...args);
  }
}

describe('presence owner – a session write that fails', () => {
  let db: TestPresenceDatabase;
  let log: MemoryEventLog;
  let owner: PresenceOwner | undefined;
  afterEach(async () => {
    await owner?.stop();
    await log.close();
    await db.teardown();
  });

  it('is written again by the retry, and the change it caused is announced once', async () => {
    db = await openPgliteTestDatabase();
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    await log.ensureTopics([{ name: TOPIC, partitions: 1, deadLetter: true }]);
    const store = new FlakyStore(db.database);
    const sink = new RecordingPresenceSink();
    owner = await PresenceOwner.start({
      eventLog: log, store, sink, metrics: new PresenceMetrics(new Registry()), logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      topic: TOPIC, groupId: 'owners', partitions: 1,
    });
    await until(() => owner!.ownedPartitions().length === 1, 'the partition');
    const user = 7001n;
    store.failUpserts = 1;
    await publishSessionEvents(log, TOPIC, [{ kind: 'connected', userId: user, sessionId: 's', platform: 'desktop' }]);
    await until(async () => (await db.database.query('SELECT 1 FROM presence_sessions WHERE user_id = $1', [user])).rowCount === 1, 'the session row, on the retry');
    expect(store.failUpserts).toBe(0);
    await until(() => sink.of(user).length >= 1, 'the change');
    expect(sink.of(user).map((c) => c.presence.status)).toEqual(['online']);
    expect(owner.presenceOf(user)?.status).toBe('online');

    // A second session (the user stays cached), then the end of the first, whose delete fails
    // once: the retry must still delete its row (no ghost session left in PostgreSQL).
    await publishSessionEvents(log, TOPIC, [{ kind: 'connected', userId: user, sessionId: 'm', platform: 'mobile' }]);
    await until(() => sink.of(user).length >= 2, 'the mobile session');
    store.failDeletes = 1;
    await publishSessionEvents(log, TOPIC, [{ kind: 'disconnected', userId: user, sessionId: 's', platform: 'desktop' }]);
    const rows = async () => (await db.database.query<{ session_id: string }>('SELECT session_id FROM presence_sessions WHERE user_id = $1', [user])).rows.map((r) => r.session_id);
    await until(async () => store.failDeletes === 0 && (await rows()).length === 1, 'the desktop row deleted, on the retry');
    expect(await rows()).toEqual(['m']);
    await until(() => sink.of(user).length >= 3, 'the change');
    expect(sink.of(user).map((c) => Object.keys(c.presence.clientStatus).sort().join('+'))).toEqual(['desktop', 'desktop+mobile', 'mobile']);
  });
});
