// Composition of the WebSocket edge from the service context and the ports other modules provide:
// metrics, one heartbeat wheel, the session registry and the public server, with their shutdown
// registered on the lifecycle (drain, then close). start.ts calls this and nothing else.
import { EventEmitter } from 'node:events';
import type { ServiceContext } from '@switchboard/runtime';
import type { GatewayAccess } from '../auth/access';
import type { SessionEvents, SessionEnvironment } from '../session/environment';
import { DEFAULT_SESSION_SETTINGS } from '../session/environment';
import { DiscardingMemberRequester, DiscardingPresenceSink, InMemoryGuildDirectory } from '../session/fakes';
import { HeartbeatWheel } from '../session/heartbeat-wheel';
import { GatewayMetrics } from '../session/metrics';
import type { CommandLimiterFactory, GuildDirectory, IdentifyAuthenticator, IdentifyGate, MemberRequester, PresenceSink, SessionCap } from '../session/ports';
import { SessionRegistry } from '../session/session-registry';
import type { GatewayEdgeConfig } from './edge-config';
import { loadGatewayEdgeConfig } from './edge-config';
import { GatewayServer } from './gateway-server';
import type { HttpHandler } from './gateway-server';

export interface GatewayEdgeParts {
  authenticator: IdentifyAuthenticator;
  identifyGate: IdentifyGate;
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
  /** Overrides of the environment's settings (tests). */
  config?: Partial<GatewayEdgeConfig>;
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
    commandLimiter: access.commandLimiter,
    sessionCap: access.sessionCap,
    handlers: [access.discovery],
    maxConcurrency: settings.maxConcurrency,
    publicUrl: settings.publicUrl,
  };
}

export async function startGatewayEdge(context: ServiceContext, parts: GatewayEdgeParts): Promise<GatewayEdge> {
  const config = { ...edgeSettings(context), ...parts.config };
  const metrics = new GatewayMetrics(context.registry);
  const registry = new SessionRegistry({ metrics });
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
      commandLimiter: parts.commandLimiter,
      guilds: parts.guilds ?? new InMemoryGuildDirectory(),
      presence: parts.presence ?? new DiscardingPresenceSink(),
      members: parts.members ?? new DiscardingMemberRequester(),
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
    await server.drain();
    await server.close();
    wheel.stop();
  });
  context.logger.info({ publicPort: server.port }, 'gateway websocket edge listening');
  return { server, registry, env, metrics };
}
