// Settings of the WebSocket edge (session core and transport), read from the environment like
// every other setting. Kept beside the code that uses them; startGatewayEdge reads them at start,
// so a bad value still stops the process before it serves (ConfigError names the variable).
import { env, loadConfig } from '@switchboard/runtime';
import type { ConfigOf } from '@switchboard/runtime';

export const gatewayEdgeSpec = {
  /** The public WebSocket + discovery REST port. */
  publicPort: env.port('GATEWAY_PUBLIC_PORT', { default: 8080 }),
  /** HELLO heartbeat_interval (Discord uses 41250 ms). */
  heartbeatIntervalMs: env.duration('GATEWAY_HEARTBEAT_INTERVAL', { default: 41_250 }),
  /** Extra time past the interval before a silent connection is closed with 4009. */
  heartbeatSlackMs: env.duration('GATEWAY_HEARTBEAT_SLACK', { default: 10_000 }),
  /** How long a dropped session stays resumable. */
  resumeWindowMs: env.duration('GATEWAY_RESUME_WINDOW', { default: 180_000 }),
  /** Replay buffer bounds per session (dispatches not yet confirmed by a heartbeat). */
  replayMaxEvents: env.int('GATEWAY_REPLAY_MAX_EVENTS', { default: 1000, min: 1 }),
  replayMaxBytes: env.int('GATEWAY_REPLAY_MAX_BYTES', { default: 4 * 1024 * 1024, min: 1024 }),
  /** Per-connection bound on queued + unsent bytes; past it the connection is closed with 4000. */
  sendQueueMaxBytes: env.int('GATEWAY_SEND_QUEUE_MAX_BYTES', { default: 8 * 1024 * 1024, min: 64 * 1024 }),
  /**
   * Cross-instance resume: the gRPC address of another gateway instance, `%s` standing for its
   * instance id (the pod name): `%s.gateway-headless:50051`. Unset → RESUMEs of sessions held by
   * another instance get op 9 d:false.
   */
  peerAddressTemplate: env.optional('GATEWAY_PEER_ADDRESS_TEMPLATE'),
  /** Deadline of each TakeSession / ReleaseSession call to a peer. */
  peerTimeoutMs: env.duration('GATEWAY_PEER_TIMEOUT', { default: 5_000 }),
  /** On SIGTERM, op 7 RECONNECT goes to the sessions spread evenly over this window (no reconnect storm). */
  drainWindowMs: env.duration('GATEWAY_DRAIN_WINDOW', { default: 30_000 }),
};

export type GatewayEdgeConfig = ConfigOf<typeof gatewayEdgeSpec>;

export function loadGatewayEdgeConfig(source: Readonly<Record<string, string | undefined>> = process.env): GatewayEdgeConfig {
  return loadConfig(gatewayEdgeSpec, source);
}
