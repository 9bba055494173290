// Presence churn in a large guild, end to end on the real Kafka broker and PostgreSQL: 2,000 of a
// 10,000-member guild's members change presence several times within one second (connect, idle,
// dnd, then a final status), as gateways report them on the session topic. The presence service
// aggregates them, coalesces each window (last write wins per user) and publishes one batch per
// guild through the guild service, which fans it out once per gateway; every observing session
// (GUILD_PRESENCES) gets at most one PRESENCE_UPDATE frame per member per window. The test prints
// the coalescing ratio (aggregated changes per frame an observer got) and checks that each
// observer ends with every changed member's final presence.
import { randomBytes } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { guildV1, presenceV1 } from '@switchboard/proto';
import { closeClient, createClient, KafkaEventLog, openDatabase, silentEventLogLogger } from '@switchboard/runtime';
import type { Database, Registry } from '@switchboard/runtime';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway, tokenFor } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import type { RunningGuild } from '../../services/guild/src/start';
import { startEmbeddedPresence } from '../../services/presence/src/testing/embedded-presence';
import type { RunningPresence } from '../../services/presence/src/start';
import { requireDatabaseUrl, requireKafkaBrokers } from '../support/backing-services';
import { waitFor } from '../support/wait';

const MEMBERS = 10_000;
const CHANGERS = 2_000;
const OBSERVERS = 3;
const WINDOW_MS = 1_000;
const Kind = presenceV1.SessionPresenceEvent_Kind;

type Final = { status: string; desktop: string; activity: string | undefined };

/** The last status each changer reports, and whether it carries an activity. */
function finalOf(i: number): Final {
  const status = ['online', 'idle', 'dnd'][i % 3]!;
  return { status, desktop: status, activity: i % 2 === 0 ? `game ${i}` : undefined };
}

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetricAsString(name).catch(() => '');
  return metric.split('\n').filter((line) => line.startsWith(name)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('presence fan-out – coalescing churn in a large guild (real Kafka and PostgreSQL)', () => {
  const run = randomBytes(4).toString('hex');
  const schemas = [`test_coalesce_guild_${run}`, `test_coalesce_presence_${run}`];
  const sessionsTopic = `test.coalesce.sessions.${run}`;
  let admin: Database | undefined;
  let guild: RunningGuild | undefined;
  let presence: RunningPresence | undefined;
  let gateway: RunningGateway | undefined;
  let log: KafkaEventLog | undefined;
  const observers: TestGatewayClient[] = [];

  afterAll(async () => {
    for (const client of observers) client.ws.terminate();
    await gateway?.context.lifecycle.shutdown('test done');
    await presence?.context.lifecycle.shutdown('test done');
    await guild?.context.lifecycle.shutdown('test done');
    await log?.close();
    for (const schema of schemas) await admin?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.close();
  });

  const urlFor = (schema: string) => {
    const url = new URL(requireDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };

  it(`delivers far fewer PRESENCE_UPDATE frames per observer than changes, ending on every member's final presence`, async () => {
    admin = await openDatabase({ url: requireDatabaseUrl(), poolSize: 1 });
    for (const schema of schemas) await admin.exec(`CREATE SCHEMA ${schema}`);
    const cluster = { SWITCHBOARD_MODE: 'cluster', KAFKA_BROKERS: requireKafkaBrokers().join(','), KAFKA_CONSUMER_SESSION_TIMEOUT: '6s' };
    guild = await startEmbeddedGuild({
      ...cluster,
      DATABASE_URL: urlFor(schemas[0]!),
      GUILD_EVENTS_TOPIC: `test.coalesce.guild.${run}`,
      PUSH_REQUESTS_TOPIC: `test.coalesce.push.${run}`,
      GUILD_OWNER_GROUP: `test-coalesce-guild-${run}`,
      GUILD_OWNER_JOIN_DELAY: '0s',
    });
    presence = await startEmbeddedPresence({
      ...cluster,
      DATABASE_URL: urlFor(schemas[1]!),
      GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}`,
      PRESENCE_SESSIONS_TOPIC: sessionsTopic,
      PRESENCE_SESSIONS_PARTITIONS: '8',
      PRESENCE_OWNER_GROUP: `test-coalesce-presence-${run}`,
      PRESENCE_LEASES_TOPIC: `test.coalesce.leases.${run}`,
      // The sessions below come from no real gateway (no lease): keep them for the whole test.
      PRESENCE_LEASE_TTL: '10m',
      PRESENCE_COALESCE_WINDOW: `${WINDOW_MS}ms`,
    });
    // The observers' gateway: embedded (its own presence reports go nowhere), linked to the guild.
    gateway = await startEmbeddedGateway({ GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}` });

    // A 10,000-member guild, bulk-loaded (setup, not what is measured).
    const api = createClient(guildV1.GuildService, `127.0.0.1:${guild.grpcPort}`);
    const ownerId = (BigInt(Date.now()) << 22n) + 1n;
    let guildId: string;
    try {
      await api.upsertUser({ user: { id: String(ownerId), username: 'owner' } });
      guildId = (await api.createGuild({ name: 'big', ownerId: String(ownerId) })).guild!.id;
    } finally {
      closeClient(api);
    }
    const members = Array.from({ length: MEMBERS - 1 }, (_, i) => ownerId + BigInt(i + 1));
    await guild.database.query('INSERT INTO users (id, username) SELECT u, $2 || u FROM unnest($1::bigint[]) AS u', [members, 'member']);
    await guild.database.query('INSERT INTO members (guild_id, user_id) SELECT $1, u FROM unnest($2::bigint[]) AS u', [BigInt(guildId), members]);
    const observerIds = members.slice(0, OBSERVERS);
    const changers = members.slice(OBSERVERS, OBSERVERS + CHANGERS);

    for (const userId of observerIds) {
      await gateway.access.store.setPrivilegedIntents(userId, GatewayIntent.GUILD_PRESENCES);
      const client = await TestGatewayClient.connect(gateway.edge.server.port);
      observers.push(client);
      await client.next((p) => p.op === 10);
      client.send({ op: 2, d: { token: tokenFor(gateway, userId), intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_PRESENCES, properties: { os: 'linux', browser: 'b', device: 'd' } } });
      await client.dispatch('GUILD_CREATE', 30_000);
      client.received.length = 0;
    }

    // The churn: each changer connects (online), goes idle, dnd, then to its final presence; all
    // 2,000 within one second, in ten slices of 200, as gateways would report them.
    log = new KafkaEventLog({ brokers: requireKafkaBrokers(), clientId: `coalesce-${run}`, logger: silentEventLogLogger });
    const event = (userId: bigint, kind: presenceV1.SessionPresenceEvent_Kind, status: string, activity?: string) => ({
      key: userId.toString(),
      value: toBinary(presenceV1.SessionPresenceEventSchema, create(presenceV1.SessionPresenceEventSchema, {
        kind, userId: userId.toString(), sessionId: `s-${userId}`, gatewayInstanceId: `fake-gateway-${run}`, platform: 'desktop',
        status, activitiesJson: JSON.stringify(activity ? [{ name: activity, type: 0 }] : []), at: timestampFromMs(Date.now()),
      })),
    });
    const started = Date.now();
    for (let slice = 0; slice < 10; slice += 1) {
      const records = changers.slice(slice * 200, (slice + 1) * 200).flatMap((userId) => {
        const final = finalOf(changers.indexOf(userId));
        return [
          event(userId, Kind.CONNECTED, 'online'),
          event(userId, Kind.UPDATED, 'idle'),
          event(userId, Kind.UPDATED, 'dnd', 'warming up'),
          event(userId, Kind.UPDATED, final.status, final.activity),
        ];
      });
      await log.produce(sessionsTopic, records);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (slice + 1) * 100 - Date.now())));
    }
    const producedInMs = Date.now() - started;

    // Each observer's latest PRESENCE_UPDATE per member.
    const latest = observers.map(() => new Map<string, { status: string; client_status: Record<string, string>; activities: { name: string }[] }>());
    const frames = observers.map(() => 0);
    const drain = () => observers.forEach((client, o) => {
      for (const payload of client.received.splice(0)) {
        if (payload.t !== 'PRESENCE_UPDATE') continue;
        const d = payload.d as { user: { id: string }; guild_id: string; status: string; client_status: Record<string, string>; activities: { name: string }[] };
        expect(d.guild_id).toBe(guildId);
        frames[o]! += 1;
        latest[o]!.set(d.user.id, d);
      }
    });
    const settled = (o: number) => changers.every((userId, i) => latest[o]!.get(String(userId))?.status === finalOf(i).status);
    await waitFor(() => (drain(), observers.every((_, o) => settled(o))), 90_000, 'every observer to see every final status');
    // A window more: nothing later may undo the final presence.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 2));
    drain();

    const changes = await counter(presence.context.registry, 'presence_changes_out_total');
    for (const [o, seen] of latest.entries()) {
      changers.forEach((userId, i) => {
        const final = finalOf(i);
        const got = seen.get(String(userId))!;
        expect({ status: got.status, clientStatus: got.client_status, activity: got.activities[0]?.name }).toEqual({
          status: final.status, clientStatus: { desktop: final.desktop }, activity: final.activity,
        });
      });
      expect(frames[o]).toBeGreaterThanOrEqual(CHANGERS);
    }
    const ratio = changes / Math.max(...frames);
    console.log(
      `presence coalescing: ${CHANGERS} of ${MEMBERS} members made ${changes} aggregated changes (produced in ${producedInMs} ms); ` +
      `PRESENCE_UPDATE frames per observer ${frames.join(', ')}; coalescing ratio ${ratio.toFixed(2)} changes per frame ` +
      `(window ${WINDOW_MS} ms)`,
    );
    expect(changes).toBe(CHANGERS * 4);
    // "Far fewer": each member's four changes collapse to about one frame (two when a window
    // boundary falls between them).
    expect(ratio).toBeGreaterThan(2.5);
  }, 180_000);
});
