// The gateway service's settings, on top of the common ones (mode, Kafka, database, logging).
import { env, loadServiceConfig, requireDatabase, requireSetting } from '@switchboard/runtime';
import { resolveTokenSecret, validatePublicUrl } from './auth/token-secret';
import { guildLinkSpec } from './guild-link/guild-instances';
import { gatewayEdgeSpec } from './transport/edge-config';

export const gatewaySpec = {
  grpcPort: env.port('GATEWAY_GRPC_PORT', { default: 50051 }),
  httpPort: env.port('GATEWAY_HTTP_PORT', { default: 9091 }),
  // auth/, rest/, limits/ (issue 3)
  /** HMAC key for tokens (≥ 32 chars). Required in cluster mode; embedded mode derives a well-known dev key. */
  tokenSecret: env.optional('GATEWAY_TOKEN_SECRET'),
  /** How long a cached revocation/grant may be stale on instances other than the one that wrote it. */
  authCacheTtlMs: env.duration('GATEWAY_AUTH_CACHE_TTL', { default: 5_000 }),
  /** ws(s):// URL clients are told to connect to (GET /gateway); unset → derived from the request's Host. */
  publicUrl: env.optional('GATEWAY_PUBLIC_URL'),
  /** How often each instance polls for revocations made through other instances (their sessions then close with 4004). */
  revocationPollMs: env.duration('GATEWAY_REVOCATION_POLL', { default: 5_000 }),
  sessionStartLimit: env.int('GATEWAY_SESSION_START_LIMIT', { default: 1000, min: 1 }),
  sessionStartWindowMs: env.duration('GATEWAY_SESSION_START_WINDOW', { default: 86_400_000 }),
  maxConcurrency: env.int('GATEWAY_MAX_CONCURRENCY', { default: 1, min: 1, max: 1024 }),
  identifyIntervalMs: env.duration('GATEWAY_IDENTIFY_INTERVAL', { default: 5_000 }),
  commandLimit: env.int('GATEWAY_COMMAND_LIMIT', { default: 120, min: 1 }),
  commandWindowMs: env.duration('GATEWAY_COMMAND_WINDOW', { default: 60_000 }),
  maxSessions: env.int('GATEWAY_MAX_SESSIONS', { default: 25_000, min: 1 }),
  // session/, transport/ (issue 3): public port, heartbeats, resume window, replay and send-queue bounds
  ...gatewayEdgeSpec,
  /**
   * Partitions of the session presence topic (switchboard.presence.sessions, keyed by user id),
   * created by whichever of gateway and presence service starts first: both must agree.
   */
  presenceSessionPartitions: env.int('PRESENCE_SESSIONS_PARTITIONS', { default: 24, min: 1, max: 1024 }),
  /** The session presence topic (same variable as the presence service's: one per deployment sharing a cluster). */
  presenceSessionsTopic: env.string('PRESENCE_SESSIONS_TOPIC', { default: 'switchboard.presence.sessions' }),
  /** The topic leases are renewed on (same variable as the presence service's). */
  presenceLeasesTopic: env.string('PRESENCE_LEASES_TOPIC', { default: 'switchboard.presence.leases' }),
  /** How often this instance renews its presence lease (topic switchboard.presence.leases). */
  presenceLeaseIntervalMs: env.duration('GATEWAY_PRESENCE_LEASE_INTERVAL', { default: 5_000 }),
  /** The TTL of each renewal: this instance's sessions go offline that long after it died. */
  presenceLeaseTtlMs: env.duration('PRESENCE_LEASE_TTL', { default: 15_000 }),
  // guild-link/: GUILD_ADDRESS, GUILD_FANOUT_TARGETS (unset GUILD_ADDRESS → no guild service: no guilds, op 8 dropped)
  ...guildLinkSpec,
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadServiceConfig(gatewaySpec, source);
  requireDatabase(config);
  validatePublicUrl(config.publicUrl);
  if (config.guildFanoutTargets !== undefined) {
    requireSetting(config.guildAddress !== undefined, 'GUILD_ADDRESS', 'is required when GUILD_FANOUT_TARGETS is set');
  }
  return { ...config, ...resolveTokenSecret(config.mode, config.tokenSecret) };
}
