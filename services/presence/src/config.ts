// The presence service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig, requireDatabase } from '@switchboard/runtime';

export const presenceSpec = {
  grpcPort: env.port('PRESENCE_GRPC_PORT', { default: 50053 }),
  httpPort: env.port('PRESENCE_HTTP_PORT', { default: 9093 }),
  /**
   * Partitions of the session presence topic (the gateways create it with the same setting when
   * they start first; fixed afterwards, since changing it moves users). Bounds how many presence
   * instances share the users.
   */
  sessionPartitions: env.int('PRESENCE_SESSIONS_PARTITIONS', { default: 24, min: 1, max: 1024 }),
  /** The topic gateways publish session presence events to (one per deployment sharing a cluster). */
  sessionsTopic: env.string('PRESENCE_SESSIONS_TOPIC', { default: 'switchboard.presence.sessions' }),
  /** Consumer group of the instances that own users (one group per deployment). */
  ownerGroup: env.string('PRESENCE_OWNER_GROUP', { default: 'switchboard-presence-owners' }),
  /** The topic gateways renew their leases on (every presence instance hears all of it). */
  leasesTopic: env.string('PRESENCE_LEASES_TOPIC', { default: 'switchboard.presence.leases' }),
  /**
   * The gateways' lease TTL (they set it on each renewal; same variable): how long a fresh
   * instance waits before expiring gateways holding sessions that it has not heard from.
   */
  leaseTtlMs: env.duration('PRESENCE_LEASE_TTL', { default: 15_000 }),
  /** How often leases are checked: the slack on top of the TTL before a dead gateway's sessions go offline. */
  leaseSweepIntervalMs: env.duration('PRESENCE_LEASE_SWEEP_INTERVAL', { default: 1_000 }),
  /**
   * The guild service (host:port) that fans presence changes out as PRESENCE_UPDATE. Unset: changes
   * are aggregated and readable (GetPresences) but reach no guild.
   */
  guildAddress: env.optional('GUILD_ADDRESS'),
  /**
   * The coalescing window: a user's changes within it collapse to the last one (none at all when
   * it ends where it began), and its users go to the guild service as one batch (one
   * PRESENCE_UPDATE batch per guild). Longer saves more frames in big guilds; it is also the
   * latency a presence change adds.
   */
  coalesceWindowMs: env.duration('PRESENCE_COALESCE_WINDOW', { default: 1_000 }),
  /** A window holding this many users is published at once (and bounds one call to the guild service). */
  coalesceMaxBatch: env.int('PRESENCE_COALESCE_MAX_BATCH', { default: 10_000, min: 1, max: 10_000 }),
};

export type PresenceConfig = ReturnType<typeof loadPresenceConfig>;

export function loadPresenceConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(presenceSpec, source);
  requireDatabase(config);
  return config;
}
