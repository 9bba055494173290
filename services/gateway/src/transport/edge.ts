// Composition of the WebSocket edge from the service context and the ports other modules provide:
// metrics, one heartbeat wheel, the session registry and the public server, with their shutdown
// registered on the lifecycle (drain, then close). start.ts calls this and nothing else.
import { EventEmitter } from 'node:events';
import type { ServiceContext } from '@switchboard/runtime';
import type { GatewayAccess } from '../auth/access';
import { GrpcSessionHandoff, TemplatePeerResolver } from '../handoff';
import type { PeerResolver } from '../handoff';
import type { SessionEvents, SessionEnvironment } from '../session/environment';
import { DEFAULT_SESSION_SETTINGS } from '../session/environment';
import { DiscardingMemberRequester, DiscardingPresenceSink, InMemoryGuildDirectory } from '../session/fakes';
import { HeartbeatWheel } from '../session/heartbeat-wheel';
import { GatewayMetrics } from '../session/metrics';
import type {
  CommandLimiterFactory, GuildDirectory, GuildSubscriptionSink, IdentifyAuthenticator, IdentifyGate, MemberRequester, PresenceSink, SessionCap,
  SessionStartGate,
} from '../session/ports';
import { SessionRegistry } from '../session/session-registry';
import type { GatewayEdgeConfig } from './edge-config';
import { loadGatewayEdgeConfig } from './edge-config';
import { GatewayServer } from './gateway-server';
import type { HttpHandler } from './gateway-server';

export interface GatewayEdgeParts {
  authenticator: IdentifyAuthenticator;
  identifyGate: IdentifyGate;
  /** The daily session-start budget every IDENTIFY consumes (unset: not budgeted). */
  sessionStarts?: SessionStartGate;
  commandLimiter: CommandLimiterFactory;
  sessionCap: SessionCap;
  /** HTTP handlers for non-upgrade requests (GET /api/v10/gateway[/bot]). */
  handlers: HttpHandler[];
  maxConcurrency: number;
  publicUrl?: string | undefined;
  /** Until the guild service exists: no guilds. */
  guilds?: GuildDirectory;
  /** Until the presence service exists: op 3 is accepted and dropped. */
  presence?: PresenceSink;
  /** Until the guild service exists: op 8 is accepted and dropped. */
  members?: MemberRequester;
  /**
   * The link to the guild service (guild-link/), started once the registry exists; its directory
   * and member requester replace `guilds` / `members`. Closed after the drain, on shutdown.
   */
  guildLink?: (registry: SessionRegistry) => Promise<{
    directory: GuildDirectory; members: MemberRequester; guildSubscriptions?: GuildSubscriptionSink; close(): Promise<void>;
  }>;
  /** Overrides of the environment's settings (tests). */
  config?: Partial<GatewayEdgeConfig>;
  /** Where peer gateway instances serve gRPC (cross-instance resume); default: GATEWAY_PEER_ADDRESS_TEMPLATE. */
  peers?: PeerResolver;
  /** Called first on shutdown, before the drain (start.ts marks /readyz not ready). */
  beforeDrain?: () => void;
}

export interface GatewayEdge {
  readonly server: GatewayServer;
  readonly registry: SessionRegistry;
  readonly env: SessionEnvironment;
  readonly metrics: GatewayMetrics;
}

/** The edge settings of a context built by loadGatewayConfig (which includes gatewayEdgeSpec); else defaults. */
export function edgeSettings(context: ServiceContext): GatewayEdgeConfig {
  const config = context.config as Partial<GatewayEdgeConfig>;
  const defaults = loadGatewayEdgeConfig({});
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(defaults) as (keyof GatewayEdgeConfig)[]) picked[key] = config[key] ?? defaults[key];
  return picked as unknown as GatewayEdgeConfig;
}

/** The parts auth/access.ts provides: the real authenticator, identify throttle, limits and discovery REST. */
export function edgePartsFromAccess(access: GatewayAccess, settings: { maxConcurrency: number; publicUrl?: string | undefined }): GatewayEdgeParts {
  return {
    authenticator: access.authenticator,
    identifyGate: access.identifyThrottle,
    sessionStarts: access.sessionStarts,
    commandLimiter: access.commandLimiter,
    sessionCap: access.sessionCap,
    handlers: [access.discovery],
    maxConcurrency: settings.maxConcurrency,
    publicUrl: settings.publicUrl,
  };
}

export async function startGatewayEdge(context: ServiceContext, parts: GatewayEdgeParts): Promise<GatewayEdge> {
  const config = { ...edgeSettings(context), ...parts.config };
  const peers = parts.peers ?? (config.peerAddressTemplate ? new TemplatePeerResolver(config.peerAddressTemplate) : undefined);
  const handoff = peers ? new GrpcSessionHandoff(peers, { timeoutMs: config.peerTimeoutMs }) : undefined;
  const metrics = new GatewayMetrics(context.registry);
  const registry = new SessionRegistry({ metrics });
  const guildLink = parts.guildLink ? await parts.guildLink(registry) : undefined;
  // Registered before the edge's step, so it runs after it (LIFO): events flow while sessions drain.
  if (guildLink) context.lifecycle.onShutdown('guild link', () => guildLink.close());
  const wheel = new HeartbeatWheel({ tickMs: 1000, horizonMs: Math.max(config.resumeWindowMs, config.heartbeatIntervalMs + config.heartbeatSlackMs) });
  const env: SessionEnvironment = {
    settings: {
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      heartbeatSlackMs: config.heartbeatSlackMs,
      resumeWindowMs: config.resumeWindowMs,
      replay: { maxEvents: config.replayMaxEvents, maxBytes: config.replayMaxBytes },
      resumeGatewayUrl: parts.publicUrl ?? DEFAULT_SESSION_SETTINGS.resumeGatewayUrl,
      maxConcurrency: parts.maxConcurrency,
    },
    ports: {
      authenticator: parts.authenticator,
      identifyGate: parts.identifyGate,
      sessionStarts: parts.sessionStarts,
      commandLimiter: parts.commandLimiter,
      guilds: guildLink?.directory ?? parts.guilds ?? new InMemoryGuildDirectory(),
      presence: parts.presence ?? new DiscardingPresenceSink(),
      members: guildLink?.members ?? parts.members ?? new DiscardingMemberRequester(),
      guildSubscriptions: guildLink?.guildSubscriptions,
      handoff,
    },
    directory: registry,
    wheel,
    metrics,
    events: new EventEmitter<SessionEvents>(),
    instanceId: context.instance.instanceId,
    now: () => Date.now(),
  };
  const server = await GatewayServer.start({
    host: context.config.host,
    port: config.publicPort,
    env,
    cap: parts.sessionCap,
    maxQueuedBytes: config.sendQueueMaxBytes,
    handlers: parts.handlers,
    publicUrl: parts.publicUrl,
  });
  context.lifecycle.onShutdown('gateway websocket edge', async () => {
    // The lifecycle abandons steps at the grace deadline; keep a little of it for the gRPC and ops servers.
    const graceMs = context.config.shutdownGraceMs;
    const deadline = Date.now() + graceMs - Math.min(2_000, graceMs / 5);
    const windowMs = Math.min(config.drainWindowMs, graceMs / 2);
    parts.beforeDrain?.();
    context.logger.info({ sessions: registry.size, windowMs }, 'draining: sending op 7 over the window, serving handoffs');
    await server.drain(windowMs);
    // Sessions leave the registry when another instance takes them over (ReleaseSession) or end.
    while (registry.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    context.logger.info({ notHandedOff: registry.size }, 'drained');
    for (const session of [...registry.sessions()]) session.end(4000, 'Server shutting down.');
    await server.close();
    handoff?.close();
    wheel.stop();
  });
  context.logger.info({ publicPort: server.port }, 'gateway websocket edge listening');
  return { server, registry, env, metrics };
}
