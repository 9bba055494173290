// Starts the gateway service in a service context: its event log, its gRPC API (admin, and the
// peer service other gateway instances take sessions over with) and the WebSocket edge.
import * as path from 'node:path';
import { gatewayV1 } from '@switchboard/proto';
import { implement, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';
import { createGatewayAccess } from './auth/access';
import type { GatewayAccess } from './auth/access';
import { accessSettings } from './auth/access';
import type { GatewayConfig } from './config';
import { startGuildLink } from './guild-link';
import type { GuildLink } from './guild-link';
import { SessionPeerService } from './handoff/peer-service';
import {
  DEFAULT_LEASE_INTERVAL_MS, DEFAULT_LEASE_TTL_MS, GatewayLease, PRESENCE_LEASES_TOPIC, PRESENCE_SESSIONS_TOPIC, PresencePublisher, reannounceOnRenewal,
} from './presence-link';
import type { PeerResolver } from './handoff/peer-resolver';
import { edgePartsFromAccess, startGatewayEdge } from './transport/edge';
import type { GatewayEdge } from './transport/edge';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const GATEWAY_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface GatewayDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
  /** Where peer gateway instances serve gRPC; default: GATEWAY_PEER_ADDRESS_TEMPLATE (tests inject one). */
  peers?: PeerResolver;
}

export interface RunningGateway extends RunningService {
  readonly eventLog: EventLog;
  readonly database: Database;
  /** Authentication, discovery REST and limits (auth/access.ts). */
  readonly access: GatewayAccess;
  /** The Gateway v10 WebSocket edge: sessions, fan-out registry, public server (transport/edge.ts). */
  readonly edge: GatewayEdge;
  /** The guild service link (guild-link/), when GUILD_ADDRESS is set. */
  readonly guildLink: GuildLink | undefined;
}

export async function startGateway(context: ServiceContext, deps: GatewayDependencies = {}): Promise<RunningGateway> {
  const database = await openServiceDatabase(context, GATEWAY_MIGRATIONS_DIR);
  const access = createGatewayAccess(context, database);
  const eventLog = openEventLog(context, deps.eventLog);
  let edge: GatewayEdge | undefined;
  const peerService = new SessionPeerService(() => edge?.registry);
  const running = await serve(context, {
    services: [
      implement(gatewayV1.GatewayService, { describe: async () => ({ instance: context.instance }), ...access.adminHandlers }),
      implement(gatewayV1.GatewayPeerService, peerService.handlers()),
    ],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  // Started after serve(): its shutdown step (drain the WebSockets, serve handoffs of this
  // instance's sessions over the still-running gRPC server) then runs before the others.
  const config = context.config as Partial<GatewayConfig>;
  let guildLink: GuildLink | undefined;
  const guildAddress = config.guildAddress;
  if (guildAddress === undefined && context.config.mode === 'cluster') {
    context.logger.warn('GUILD_ADDRESS is not set: sessions get no guilds and op 8 is dropped');
  }
  // Sessions' presence (connect, op 3, end) goes to the presence service over the event log.
  const sessionsTopic = config.presenceSessionsTopic ?? PRESENCE_SESSIONS_TOPIC;
  const leasesTopic = config.presenceLeasesTopic ?? PRESENCE_LEASES_TOPIC;
  await eventLog.ensureTopics([
    { name: sessionsTopic, partitions: config.presenceSessionPartitions ?? 24 },
    { name: leasesTopic, partitions: 1 },
  ]);
  const presence = new PresencePublisher({ eventLog, instanceId: context.instance.instanceId, logger: context.logger, registry: context.registry, topic: sessionsTopic });
  // The lease covers this instance's sessions at the presence service (a kill -9 stops it, and
  // they go offline a TTL later). Registered before the edge's step, so on shutdown its goodbye
  // goes after the edge drained: sessions handed to other instances are theirs by then.
  const leaseIntervalMs = config.presenceLeaseIntervalMs ?? DEFAULT_LEASE_INTERVAL_MS;
  const leaseTtlMs = config.presenceLeaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const lease = await GatewayLease.start({
    eventLog,
    instanceId: context.instance.instanceId,
    logger: context.logger,
    topic: leasesTopic,
    intervalMs: leaseIntervalMs,
    ttlMs: leaseTtlMs,
    onRenewed: reannounceOnRenewal(presence, { ttlMs: leaseTtlMs, intervalMs: leaseIntervalMs, logger: context.logger }),
  });
  context.lifecycle.onShutdown('presence lease', () => lease.stop());
  edge = await startGatewayEdge(context, {
    ...edgePartsFromAccess(access, accessSettings(context)),
    presence,
    ...(deps.peers ? { peers: deps.peers } : {}),
    ...(guildAddress === undefined ? {} : {
      guildLink: async (registry) => (guildLink = await startGuildLink({
        registry,
        instanceId: context.instance.instanceId,
        guildAddress,
        targets: config.guildFanoutTargets,
        logger: context.logger,
        metricsRegistry: context.registry,
        settings: pickDefined(config),
      })),
    }),
    beforeDrain: () => running.ops.markNotReady(),
  });
  edge.registry.observe(presence);
  access.revocationSweeper.start(edge.registry);
  // Registered after the edge's step, so it runs first (LIFO): no poll against a closing database.
  context.lifecycle.onShutdown('revocation sweeper', () => access.revocationSweeper.stop());
  return { ...running, eventLog, database, access, edge, guildLink };
}

/** The guild link's tunables from the config (unset ones keep the link's defaults). */
function pickDefined(config: Partial<GatewayConfig>) {
  const { guildFanoutDnsIntervalMs, guildSyncTimeoutMs, guildCallTimeoutMs, memberRequestLimit, memberRequestWindowMs } = config;
  const settings = { guildFanoutDnsIntervalMs, guildSyncTimeoutMs, guildCallTimeoutMs, memberRequestLimit, memberRequestWindowMs };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}
