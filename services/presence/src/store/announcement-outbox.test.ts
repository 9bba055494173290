// The announcement outbox in presence_announced, on PGlite and the real PostgreSQL: a change is
// pending until its very revision is confirmed; a newer change stays pending; a delivered offline
// row goes; the pending changes of a partition are what its next owner publishes.
import { requireDatabaseUrl } from '../../../../test/support/backing-services';
import type { Presence } from '../aggregate';
import { OFFLINE } from '../aggregate';
import { openPgliteTestDatabase, openPostgresTestSchema } from '../testing/presence-database';
import type { TestPresenceDatabase } from '../testing/presence-database';
import { SessionStore } from './session-store';

const ONLINE: Presence = { status: 'online', activities: [{ name: 'x', type: 0 }], clientStatus: { desktop: 'online' }, since: 0, afk: false };
const IDLE: Presence = { status: 'idle', activities: [], clientStatus: { mobile: 'idle' }, since: 1_700_000_000_000, afk: true };

const databases: [string, () => Promise<TestPresenceDatabase>][] = [
  ['PGlite', openPgliteTestDatabase],
  ['PostgreSQL', () => openPostgresTestSchema(requireDatabaseUrl())],
];

describe.each(databases)('announcement outbox (%s)', (_label, open) => {
  let db: TestPresenceDatabase;
  let store: SessionStore;
  beforeEach(async () => {
    db = await open();
    store = new SessionStore(db.database);
  });
  afterEach(() => db.teardown());

  it('keeps a change pending until its revision is delivered, and a newer change pending after an older one is', async () => {
    const first = await store.setAnnounced(1n, ONLINE, 3);
    const second = await store.setAnnounced(1n, IDLE, 3);
    expect(second).toBe(first + 1n);
    await store.markDelivered([{ userId: 1n, revision: first }]);
    expect(await store.pendingIn([3])).toEqual([{ userId: 1n, presence: IDLE, revision: second, partition: 3 }]);
    await store.markDelivered([{ userId: 1n, revision: second }]);
    expect(await store.pendingIn([3])).toEqual([]);
    expect(await store.announcedOf(1n)).toEqual(IDLE);
  });

  it('drops a delivered offline row (no row means offline) but keeps an undelivered one', async () => {
    await store.setAnnounced(2n, ONLINE, 0);
    const offline = await store.setAnnounced(2n, OFFLINE, 0);
    expect((await store.pendingIn([0])).map((p) => p.presence.status)).toEqual(['offline']);
    await store.markDelivered([{ userId: 2n, revision: offline }]);
    expect((await db.database.query('SELECT 1 FROM presence_announced WHERE user_id = $1', [2n])).rowCount).toBe(0);
    expect(await store.announcedOf(2n)).toEqual(OFFLINE);
  });

  it('lists the pending changes of the given partitions only', async () => {
    await store.setAnnounced(10n, ONLINE, 0);
    await store.setAnnounced(11n, ONLINE, 1);
    const delivered = await store.setAnnounced(12n, ONLINE, 1);
    await store.markDelivered([{ userId: 12n, revision: delivered }]);
    expect((await store.pendingIn([1])).map((p) => p.userId)).toEqual([11n]);
    expect((await store.pendingIn([0, 1])).map((p) => p.userId).sort()).toEqual([10n, 11n]);
  });
});
