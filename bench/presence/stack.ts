// The end-to-end presence path the benchmark drives, set up as test/presence/presence-coalescing.test.ts
// does but without jest: a real guild service and a real presence service in cluster mode on the
// local Kafka broker and PostgreSQL (a fresh schema each, unique topics and groups per run), an
// embedded gateway linked to the guild, a bulk-loaded large guild and observer sessions
// (GUILDS | GUILD_PRESENCES, privileged intent granted) whose PRESENCE_UPDATE frames are recorded
// with their arrival time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeClient, createClient, KafkaEventLog, openDatabase, silentEventLogLogger } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { guildV1 } from '@switchboard/proto';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import type { RunningGateway } from '../../services/gateway/src/start';
import { startEmbeddedGateway, tokenFor } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGuild } from '../../services/guild/src/start';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import type { RunningPresence } from '../../services/presence/src/start';
import { startEmbeddedPresence } from '../../services/presence/src/testing/embedded-presence';
import { metricSum } from './metrics';
import { Observer } from './observer';
import { backing } from '../backing';

export { backing, checkBackingServices } from '../backing';

const SESSION_PARTITIONS = 8;

/** The compiled services resolve their migrations next to dist/services/<name>: refresh the copies. */
export function copyMigrations(repo: string): void {
  for (const service of ['gateway', 'guild', 'presence']) {
    fs.cpSync(path.join(repo, 'services', service, 'migrations'), path.resolve(__dirname, '../../services', service, 'migrations'), { recursive: true });
  }
}

export interface StackOptions {
  /** Unique per stack: names its schemas, topics and groups. */
  run: string;
  members: number;
  observers: number;
  windowMs: number;
}

export interface Stack {
  guild: RunningGuild;
  presence: RunningPresence;
  gateway: RunningGateway;
  log: KafkaEventLog;
  sessionsTopic: string;
  guildId: string;
  /** Every member but the owner, in order (observers first). */
  members: bigint[];
  observers: Observer[];
  stop(): Promise<void>;
}

function schemaUrl(schema: string): string {
  const url = new URL(backing.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { run } = options;
  const schemas = [`bench_presence_guild_${run}`, `bench_presence_presence_${run}`];
  const sessionsTopic = `bench.presence.sessions.${run}`;
  const admin: Database = await openDatabase({ url: backing.databaseUrl, poolSize: 1 });
  let guild: RunningGuild | undefined;
  let presence: RunningPresence | undefined;
  let gateway: RunningGateway | undefined;
  let log: KafkaEventLog | undefined;
  const observers: Observer[] = [];
  const stop = async () => {
    for (const observer of observers) observer.client.ws.terminate();
    await gateway?.context.lifecycle.shutdown('bench done');
    await presence?.context.lifecycle.shutdown('bench done');
    await guild?.context.lifecycle.shutdown('bench done');
    await log?.close();
    for (const schema of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  };
  try {
    for (const schema of schemas) await admin.exec(`CREATE SCHEMA ${schema}`);
    const cluster = { SWITCHBOARD_MODE: 'cluster', KAFKA_BROKERS: backing.kafkaBrokers.join(','), KAFKA_CONSUMER_SESSION_TIMEOUT: '6s' };
    guild = await startEmbeddedGuild({
      ...cluster,
      DATABASE_URL: schemaUrl(schemas[0]!),
      GUILD_EVENTS_TOPIC: `bench.presence.guild.${run}`,
      PUSH_REQUESTS_TOPIC: `bench.presence.push.${run}`,
      GUILD_OWNER_GROUP: `bench-presence-guild-${run}`,
      GUILD_OWNER_JOIN_DELAY: '0s',
    });
    presence = await startEmbeddedPresence({
      ...cluster,
      DATABASE_URL: schemaUrl(schemas[1]!),
      GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}`,
      PRESENCE_SESSIONS_TOPIC: sessionsTopic,
      PRESENCE_SESSIONS_PARTITIONS: String(SESSION_PARTITIONS),
      PRESENCE_OWNER_GROUP: `bench-presence-owner-${run}`,
      PRESENCE_LEASES_TOPIC: `bench.presence.leases.${run}`,
      // The sessions come from no real gateway (no lease): keep them for the whole run.
      PRESENCE_LEASE_TTL: '10m',
      PRESENCE_COALESCE_WINDOW: `${options.windowMs}ms`,
    });
    gateway = await startEmbeddedGateway({ GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}` });
    const { guildId, members } = await loadGuild(guild, options.members);
    for (const userId of members.slice(0, options.observers)) {
      await gateway.access.store.setPrivilegedIntents(userId, GatewayIntent.GUILD_PRESENCES);
      observers.push(await Observer.identify(gateway.edge.server.port, tokenFor(gateway, userId), GatewayIntent.GUILDS | GatewayIntent.GUILD_PRESENCES));
    }
    log = new KafkaEventLog({ brokers: backing.kafkaBrokers, clientId: `bench-presence-${run}`, logger: silentEventLogLogger });
    // Setup is not measured: the guild owner and the presence owner hold their partitions first.
    await guild.joined;
    const owned = presence.context.registry;
    await until(async () => (await metricSum(owned, 'presence_partitions_owned')) >= SESSION_PARTITIONS, 60_000, 'the presence owner to own every session partition');
    return { guild, presence, gateway, log, sessionsTopic, guildId, members, observers, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** A guild of `size` members (owner included), bulk-loaded into the guild's tables. */
async function loadGuild(guild: RunningGuild, size: number): Promise<{ guildId: string; members: bigint[] }> {
  const api = createClient(guildV1.GuildService, `127.0.0.1:${guild.grpcPort}`);
  const ownerId = (BigInt(Date.now()) << 22n) + 1n;
  let guildId: string;
  try {
    await api.upsertUser({ user: { id: String(ownerId), username: 'owner' } });
    guildId = (await api.createGuild({ name: 'big', ownerId: String(ownerId) })).guild!.id;
  } finally {
    closeClient(api);
  }
  const members = Array.from({ length: size - 1 }, (_, i) => ownerId + BigInt(i + 1));
  await guild.database.query('INSERT INTO users (id, username) SELECT u, $2 || u FROM unnest($1::bigint[]) AS u', [members, 'member']);
  await guild.database.query('INSERT INTO members (guild_id, user_id) SELECT $1, u FROM unnest($2::bigint[]) AS u', [BigInt(guildId), members]);
  return { guildId, members };
}
