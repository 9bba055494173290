// Gateway leases with two presence instances sharing the users (in-memory log, one PGlite): each
// hears every lease, and when one runs out each takes offline the sessions of the partitions it
// owns — every affected user is announced once, by its owner. A gateway holding sessions that no
// instance ever heard renew is expired one TTL after start.
import { MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import { RecordingPresenceSink } from '../owner/change-sink';
import { publishGatewayLease, publishSessionEvents, until } from '../owner/owner-test-support';
import { startEmbeddedPresence } from '../testing/embedded-presence';
import { openPgliteTestDatabase } from '../testing/presence-database';
import type { TestPresenceDatabase } from '../testing/presence-database';
import type { RunningPresence } from '../start';

const SESSIONS = 'switchboard.presence.sessions';
const LEASES = 'switchboard.presence.leases';
const TTL_MS = 1_000;
const USERS = Array.from({ length: 8 }, (_, i) => BigInt(920_000 + i));

interface Instance {
  presence: RunningPresence;
  sink: RecordingPresenceSink;
}

async function expiries(instance: Instance): Promise<number> {
  const metric = await instance.presence.context.registry.getSingleMetric('presence_lease_expiries_total')!.get();
  return metric.values[0]?.value ?? 0;
}

describe('gateway leases with two presence instances (in-memory log, PGlite)', () => {
  let db: TestPresenceDatabase;
  let log: MemoryEventLog;
  const instances: Instance[] = [];
  const heartbeats = new Map<string, NodeJS.Timeout>();

  function heartbeat(gateway: string): void {
    const renew = () => void publishGatewayLease(log, LEASES, gateway, TTL_MS).catch(() => undefined);
    renew();
    heartbeats.set(gateway, setInterval(renew, TTL_MS / 10));
  }

  function kill(gateway: string): void {
    clearInterval(heartbeats.get(gateway));
    heartbeats.delete(gateway);
  }

  /** The last announcement of a user, by whichever instance made it. */
  function last(user: bigint) {
    return instances.flatMap((i) => i.sink.of(user)).at(-1)?.presence;
  }

  beforeAll(async () => {
    db = await openPgliteTestDatabase();
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    for (const name of ['a', 'b']) {
      const sink = new RecordingPresenceSink();
      const presence = await startEmbeddedPresence(
        { SWITCHBOARD_INSTANCE_ID: `presence-${name}`, PRESENCE_LEASE_TTL: `${TTL_MS}ms`, PRESENCE_LEASE_SWEEP_INTERVAL: '50ms' },
        { eventLog: log, database: db.database, sink },
      );
      instances.push({ presence, sink });
    }
    const owned = (i: Instance) => i.presence.owner.ownedPartitions().length;
    await until(() => instances.every((i) => owned(i) > 0) && owned(instances[0]!) + owned(instances[1]!) === 4, 'both instances to share the partitions');
  });

  afterAll(async () => {
    for (const gateway of [...heartbeats.keys()]) kill(gateway);
    for (const { presence } of instances) await presence.context.lifecycle.shutdown('test');
    await log.close();
    await db.teardown();
  });

  it('each instance takes the expired gateway\'s sessions offline in its own partitions', async () => {
    heartbeat('gw-a');
    heartbeat('gw-b');
    await until(() => instances.every((i) => i.presence.leases.isLive('gw-a') && i.presence.leases.isLive('gw-b')), 'every instance to hear both leases');
    // Every user on A's desktop; the even ones also on B's phone.
    await publishSessionEvents(log, SESSIONS, USERS.flatMap((user, i) => [
      { kind: 'connected' as const, userId: user, sessionId: `${user}-d`, gateway: 'gw-a', platform: 'desktop' },
      ...(i % 2 === 0 ? [{ kind: 'connected' as const, userId: user, sessionId: `${user}-m`, gateway: 'gw-b', platform: 'mobile' }] : []),
    ]));
    await until(() => USERS.every((u, i) => last(u)?.clientStatus.desktop === 'online' && (i % 2 === 1 || last(u)?.clientStatus.mobile === 'online')), 'every user online');
    // The users are spread over both owners, so both have expiry work to do.
    expect(instances.every((i) => i.sink.changes.length > 0)).toBe(true);

    const changes = (user: bigint) => instances.flatMap((inst) => inst.sink.of(user)).length;
    const before = USERS.map(changes);
    kill('gw-a');
    await until(() => USERS.every((u) => last(u)?.clientStatus.desktop === undefined), 'every desktop gone', 20_000);
    USERS.forEach((user, i) => {
      expect(last(user)).toEqual(i % 2 === 0
        ? { status: 'online', activities: [], clientStatus: { mobile: 'online' }, since: 0, afk: false }
        : { status: 'offline', activities: [], clientStatus: {}, since: 0, afk: false });
      // Announced once, by the user's owner: the other instance's expiry did not touch the user.
      expect(changes(user)).toBe(before[i]! + 1);
    });
    for (const instance of instances) expect(await expiries(instance)).toBe(1);
  });

  it('a gateway holding sessions but never heard renewing is expired one TTL after start', async () => {
    const user = 920_100n;
    await publishSessionEvents(log, SESSIONS, [{ kind: 'connected', userId: user, sessionId: 'ghost', gateway: 'gw-ghost', platform: 'web' }]);
    await until(() => last(user)?.status === 'offline', 'the ghost gateway\'s session to go offline', 20_000);
    expect(instances.flatMap((i) => i.sink.of(user)).map((c) => c.presence.status)).toEqual(['online', 'offline']);
  });
});
