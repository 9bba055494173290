// reannounce(): every live session's CONNECTED again, with its last presence, after a lease gap or
// lost events; ended sessions are not announced, and a failed produce is remembered until then.
import { fromBinary } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import { MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import type { EventLog } from '@switchboard/runtime';
import type { Session } from '../session/session';
import { PRESENCE_SESSIONS_TOPIC, PresencePublisher, reannounceOnRenewal } from './presence-publisher';

const Kind = presenceV1.SessionPresenceEvent_Kind;
const session = (id: string, userId: bigint, platform: string) => ({ id, userId, platform }) as unknown as Session;

describe('PresencePublisher.reannounce', () => {
  let log: MemoryEventLog;
  const events: presenceV1.SessionPresenceEvent[] = [];
  beforeEach(async () => {
    events.length = 0;
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    await log.ensureTopics([{ name: PRESENCE_SESSIONS_TOPIC, partitions: 2 }]);
    await log.subscribe({ groupId: 'reader', topics: [PRESENCE_SESSIONS_TOPIC], handler: (r) => void events.push(fromBinary(presenceV1.SessionPresenceEventSchema, r.value)) });
  });
  afterEach(() => log.close());

  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  it('announces every live session again with its last presence, not the ended ones', async () => {
    const publisher = new PresencePublisher({ eventLog: log, instanceId: 'gw', logger: { warn: () => undefined } });
    const [a, b, c] = [session('a', 1n, 'desktop'), session('b', 1n, 'mobile'), session('c', 2n, 'web')];
    for (const s of [a, b, c]) publisher.sessionAdded(s);
    await Promise.resolve();
    publisher.sessionPresence('a', 1n, { status: 'idle', activities: [{ name: 'x', type: 0 }], since: 5, afk: true });
    publisher.sessionRemoved(c);
    await until(() => events.length === 5);
    events.length = 0;
    expect(publisher.reannounce()).toBe(2);
    await until(() => events.length === 2);
    const byId = new Map(events.map((e) => [e.sessionId, e]));
    expect([...byId.keys()].sort()).toEqual(['a', 'b']);
    expect(byId.get('a')).toMatchObject({ kind: Kind.CONNECTED, userId: '1', platform: 'desktop', status: 'idle', since: 5n, afk: true, gatewayInstanceId: 'gw' });
    expect(JSON.parse(byId.get('a')!.activitiesJson)).toEqual([{ name: 'x', type: 0 }]);
    expect(byId.get('b')).toMatchObject({ kind: Kind.CONNECTED, platform: 'mobile', status: 'online' });
  });

  it('remembers a failed produce until the next reannounce', async () => {
    let failing = true;
    const flaky: EventLog = Object.assign(Object.create(log) as EventLog, {
      produce: (...args: Parameters<EventLog['produce']>) => (failing ? Promise.reject(new Error('broker down')) : log.produce(...args)),
    });
    const publisher = new PresencePublisher({ eventLog: flaky, instanceId: 'gw', logger: { warn: () => undefined } });
    publisher.sessionAdded(session('a', 1n, 'desktop'));
    await until(() => publisher.hadFailures);
    failing = false;
    expect(publisher.reannounce()).toBe(1);
    expect(publisher.hadFailures).toBe(false);
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ kind: Kind.CONNECTED, sessionId: 'a', status: 'online' });
  });

  it('reannounces one interval after a renewal that followed a gap close to the TTL, not after an on-time one', async () => {
    const publisher = new PresencePublisher({ eventLog: log, instanceId: 'gw', logger: { warn: () => undefined } });
    publisher.sessionAdded(session('a', 1n, 'desktop'));
    await until(() => events.length === 1);
    const onRenewed = reannounceOnRenewal(publisher, { ttlMs: 3_000, intervalMs: 20, logger: { warn: () => undefined } });
    onRenewed(undefined);
    onRenewed(1_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(events).toHaveLength(1);
    onRenewed(2_990); // within one interval of the TTL: the lease may have lapsed
    await until(() => events.length === 2);
    expect(events[1]).toMatchObject({ kind: Kind.CONNECTED, sessionId: 'a' });
  });
});
