// The guild service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig, requireDatabase } from '@switchboard/runtime';
import { presenceReaderSpec } from './presence-reader/config';

export const guildSpec = {
  grpcPort: env.port('GUILD_GRPC_PORT', { default: 50052 }),
  httpPort: env.port('GUILD_HTTP_PORT', { default: 9092 }),
  /**
   * Partitions of the guild events topic (created with it; fixed afterwards, since changing it
   * moves keys). Bounds how many guild instances share the load; 24 suits up to a dozen.
   */
  eventPartitions: env.int('GUILD_EVENT_PARTITIONS', { default: 24, min: 1, max: 1024 }),
  /** The guild events topic (one per deployment sharing a Kafka cluster). */
  eventsTopic: env.string('GUILD_EVENTS_TOPIC', { default: 'switchboard.guild.events' }),
  /** Where push requests for users without a session go (the push service consumes it). */
  pushTopic: env.string('PUSH_REQUESTS_TOPIC', { default: 'switchboard.push.requests' }),
  /** Consumer group of the instances that own guilds (one group per deployment). */
  ownerGroup: env.string('GUILD_OWNER_GROUP', { default: 'switchboard-guild-owners' }),
  /**
   * How long a starting instance serves (and is ready, so gateways resolve it and open their
   * fan-out streams) before it joins the owners' group. An owner must know every gateway's
   * interests before it takes partitions over, or it would commit events nobody was sent. More
   * than the gateways' GUILD_FANOUT_DNS_INTERVAL. Default 15 s in cluster mode, 0 when embedded
   * (the one gateway is in the same process).
   */
  ownerJoinDelayMs: env.duration('GUILD_OWNER_JOIN_DELAY', { default: 15_000 }),
  /** How long an owner waits for a gateway to acknowledge an event before closing its stream. */
  fanoutAckTimeoutMs: env.duration('GUILD_FANOUT_ACK_TIMEOUT', { default: 10_000 }),
  /**
   * Guilds with more members than this are "large" for fan-out: messages, reactions and typing go
   * only to sessions looking at the guild (op 14) and to the users they mention; other sessions
   * are passive and get only state changes. Also where member lists stop listing offline members.
   */
  passiveThreshold: env.int('GUILD_PASSIVE_THRESHOLD', { default: 1000, min: 1 }),
  // presence-reader/: PRESENCE_ADDRESS, PRESENCE_CALL_TIMEOUT (unset address → no presences read)
  ...presenceReaderSpec,
};

export type GuildConfig = ReturnType<typeof loadGuildConfig>;

export function loadGuildConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(guildSpec, source);
  requireDatabase(config);
  if (config.mode === 'embedded' && source.GUILD_OWNER_JOIN_DELAY === undefined) return { ...config, ownerJoinDelayMs: 0 };
  return config;
}
