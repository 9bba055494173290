// Starts the guild service in a service context: its database (migrated) and event log with the
// guild topics, the gRPC API (product API, gateway reads, the Fanout streams), then joins the
// owners' consumer group so this instance applies and fans out the guilds of its partitions.
import * as path from 'node:path';
import { guildV1 } from '@switchboard/proto';
import { implement, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';
import { createGuildApi } from './api';
import type { GuildConfig } from './config';
import { EventLogGuildEventPublisher, guildTopicSpecs } from './events';
import { createFanout, memberStatus, SqlMemberListLoader } from './fanout';
import type { StatusRead } from './fanout';
import type { MemberStatus } from './member-list';
import type { Fanout } from './fanout';
import { GrpcPresenceReader, LatePresenceReader, NO_PRESENCES } from './presence-reader';
import type { PresenceReader } from './presence-reader';
import { leaseSnowflakeGenerator } from './snowflake-worker';
import { SqlGuildStateLoader } from './state';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const GUILD_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface GuildDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
  /**
   * The presence service's address, known only after this service started (`make dev`: presence
   * calls guild too, so one must start first); reads find everyone offline until it resolves.
   * Takes the place of PRESENCE_ADDRESS.
   */
  presenceAddress?: Promise<string>;
}

export interface RunningGuild extends RunningService {
  readonly database: Database;
  readonly eventLog: EventLog;
  readonly fanout: Fanout;
  /** Settles once this instance joined the owners' group (after GUILD_OWNER_JOIN_DELAY). */
  readonly joined: Promise<void>;
}

type GuildSettings = Pick<GuildConfig, 'eventPartitions' | 'eventsTopic' | 'pushTopic' | 'ownerGroup' | 'fanoutAckTimeoutMs' | 'ownerJoinDelayMs' | 'passiveThreshold'>;
type PresenceSettings = Pick<GuildConfig, 'presenceAddress' | 'presenceCallTimeoutMs'>;

export async function startGuild(context: ServiceContext, deps: GuildDependencies = {}): Promise<RunningGuild> {
  const settings = context.config as typeof context.config & GuildSettings;
  const database = await openServiceDatabase(context, GUILD_MIGRATIONS_DIR);
  const eventLog = openEventLog(context, deps.eventLog);
  await eventLog.ensureTopics(guildTopicSpecs(settings.eventPartitions, { events: settings.eventsTopic, push: settings.pushTopic }));
  const ids = await leaseSnowflakeGenerator(database);
  const presences = presenceReader(context, deps.presenceAddress);
  const fanout = createFanout({
    eventLog,
    loader: new SqlGuildStateLoader(database),
    registry: context.registry,
    logger: context.logger,
    ackTimeoutMs: settings.fanoutAckTimeoutMs,
    groupId: settings.ownerGroup,
    topic: settings.eventsTopic,
    pushTopic: settings.pushTopic,
    partitions: settings.eventPartitions,
    passiveThreshold: settings.passiveThreshold,
    memberListLoader: new SqlMemberListLoader(database),
    // Without a presence service, online in the lists means "has a session" (InterestPresence).
    ...(presences === NO_PRESENCES ? {} : { readStatuses: statusReader(presences) }),
  });
  const api = createGuildApi({ database, publisher: new EventLogGuildEventPublisher(eventLog, settings.eventsTopic), ids, logger: context.logger, presences });
  const running = await serve(context, {
    services: [implement(guildV1.GuildService, { describe: async () => ({ instance: context.instance }), fanout: fanout.handler, ...api })],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  // Registered after serve(), so on shutdown it runs before the gRPC server stops: leave the group
  // (the partitions move at once, in-flight records finish their ack waits), then end the streams.
  const shutdown = { started: false };
  context.lifecycle.onShutdown('guild fan-out', () => {
    shutdown.started = true;
    return fanout.stop();
  });
  const joined = joinOwnersAfter(settings.ownerJoinDelayMs, fanout, context, shutdown);
  if (settings.ownerJoinDelayMs === 0) await joined;
  return { ...running, database, eventLog, fanout, joined };
}

/** The member lists' seed: the statuses of the users who are not offline. */
function statusReader(reader: PresenceReader): StatusRead {
  return async (userIds) => {
    const statuses = new Map<bigint, MemberStatus>();
    for (const [userId, payload] of await reader.presencesOf(userIds)) {
      const status = memberStatus(payload.status);
      if (status) statuses.set(userId, status);
    }
    return statuses;
  };
}

/** Presence reads (GUILD_CREATE, member chunks, member lists) from PRESENCE_ADDRESS; none when it is unset. */
function presenceReader(context: ServiceContext, lateAddress: Promise<string> | undefined): PresenceReader {
  const settings = context.config as typeof context.config & PresenceSettings;
  const connected: GrpcPresenceReader[] = [];
  const connect = (address: string) => {
    const reader = new GrpcPresenceReader(address, { timeoutMs: settings.presenceCallTimeoutMs, registry: context.registry });
    connected.push(reader);
    return reader;
  };
  // Registered before serve()'s hooks, so it runs after the gRPC server stopped (no read in flight).
  context.lifecycle.onShutdown('presence reader', async () => connected.forEach((reader) => reader.close()));
  if (lateAddress !== undefined) {
    const late = new LatePresenceReader();
    void lateAddress.then((address) => late.bind(connect(address)));
    return late;
  }
  if (settings.presenceAddress === undefined) {
    context.logger.warn('PRESENCE_ADDRESS is not set: GUILD_CREATE and member chunks carry no presences');
    return NO_PRESENCES;
  }
  return connect(settings.presenceAddress);
}

/**
 * Joins the owners' group after `delayMs` of serving, so the gateways have found this instance and
 * declared their interests first. A failure to join is fatal: an instance that serves the API but
 * owns nothing would look healthy while its share of guilds went unserved.
 */
function joinOwnersAfter(delayMs: number, fanout: Fanout, context: ServiceContext, shutdown: { started: boolean }): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, delayMs).unref())
    .then(async () => {
      if (shutdown.started) return;
      await fanout.start();
      // Stopped while joining: leave again (stop() found no owner to stop).
      if (shutdown.started) await fanout.stop();
      else context.logger.info({ delayMs }, 'joined the guild owners group');
    })
    .catch((err: unknown) => {
      context.logger.fatal({ err }, 'could not join the guild owners group');
      void context.lifecycle.shutdown('owners group join failed').finally(() => process.exit(1));
    });
}
