// Starts the presence service in a service context: its database (migrated) and event log with
// the session presence topic, the gRPC API (Describe, GetPresences), then joins the owners'
// consumer group so this instance aggregates the users of its partitions.
import * as path from 'node:path';
import { presenceV1 } from '@switchboard/proto';
import { implement, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';
import { createGetPresences } from './api';
import type { PresenceConfig } from './config';
import { CoalescerMetrics, GuildPresencePublisher, PresenceCoalescer } from './fanout';
import { GatewayLeases } from './lease';
import { NO_PRESENCE_SINK, PresenceMetrics, PresenceOwner } from './owner';
import type { PresenceChangeSink } from './owner';
import { SessionStore } from './store';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const PRESENCE_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface PresenceDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
  /** A database owned by the caller (tests: several instances sharing one PGlite); else DATABASE_URL's. */
  database?: Database;
  /** Where aggregated changes go (default: the coalescer publishing to GUILD_ADDRESS; none without it). */
  sink?: PresenceChangeSink;
}

export interface RunningPresence extends RunningService {
  readonly database: Database;
  readonly eventLog: EventLog;
  readonly owner: PresenceOwner;
  readonly leases: GatewayLeases;
}

type PresenceSettings = Pick<
  PresenceConfig,
  'sessionPartitions' | 'sessionsTopic' | 'ownerGroup' | 'leasesTopic' | 'leaseTtlMs' | 'leaseSweepIntervalMs' | 'guildAddress' | 'coalesceWindowMs' | 'coalesceMaxBatch'
>;

export async function startPresence(context: ServiceContext, deps: PresenceDependencies = {}): Promise<RunningPresence> {
  const settings = context.config as typeof context.config & PresenceSettings;
  const database = deps.database ?? (await openServiceDatabase(context, PRESENCE_MIGRATIONS_DIR));
  const eventLog = openEventLog(context, deps.eventLog);
  // Whichever service starts first creates the topic (the gateways with the same partition count).
  await eventLog.ensureTopics([
    { name: settings.sessionsTopic, partitions: settings.sessionPartitions, deadLetter: true },
    { name: settings.leasesTopic, partitions: 1 },
  ]);
  const store = new SessionStore(database);
  const running = await serve(context, {
    services: [
      implement(presenceV1.PresenceService, {
        describe: async () => ({ instance: context.instance }),
        getPresences: createGetPresences(store),
      }),
    ],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  const metrics = new PresenceMetrics(context.registry);
  const sink = deps.sink ?? changeSink(context, settings, store);
  const owner = await PresenceOwner.start({
    eventLog,
    store,
    sink,
    metrics,
    logger: context.logger,
    topic: settings.sessionsTopic,
    groupId: settings.ownerGroup,
    partitions: settings.sessionPartitions,
  });
  // Registered after serve(), so on shutdown it runs before the servers stop: leave the group
  // (in-flight records finish and commit) so the others take the users over at once.
  context.lifecycle.onShutdown('presence owner', () => owner.stop());
  const leases = await GatewayLeases.start({
    eventLog,
    owner,
    store,
    metrics,
    logger: context.logger,
    // Its own group: every presence instance must hear every gateway's renewals.
    groupId: `${settings.ownerGroup}.leases.${context.instance.instanceId}`,
    graceMs: settings.leaseTtlMs,
    topic: settings.leasesTopic,
    sweepIntervalMs: settings.leaseSweepIntervalMs,
  });
  // Runs before the owner stops (LIFO): no expiry against a group already left.
  context.lifecycle.onShutdown('gateway leases', () => leases.stop());
  return { ...running, database, eventLog, owner, leases };
}

/** The coalescer publishing to the guild service, when there is one. */
function changeSink(context: ServiceContext, settings: PresenceSettings, store: SessionStore): PresenceChangeSink {
  if (settings.guildAddress === undefined) {
    context.logger.warn('GUILD_ADDRESS is not set: presence changes are aggregated but reach no guild');
    return NO_PRESENCE_SINK;
  }
  const publisher = new GuildPresencePublisher(settings.guildAddress);
  const coalescer = new PresenceCoalescer({
    publisher,
    ledger: store,
    metrics: new CoalescerMetrics(context.registry),
    logger: context.logger,
    windowMs: settings.coalesceWindowMs,
    maxBatch: settings.coalesceMaxBatch,
  });
  // Registered before the owner's hook, so it runs after the owner left the group (LIFO): the
  // last window is published (or left in the outbox for the next owner), then the channel closes.
  context.lifecycle.onShutdown('presence coalescer', async () => {
    await coalescer.stop();
    publisher.close();
  });
  return coalescer;
}
