// `make dev`: the four services in one Node process, with the embedded defaults (an in-memory
// event log shared by all, as they would share one Kafka cluster, and PGlite per service that
// owns state). Each service keeps its own ports, config, logger and metrics, exactly as when it
// runs alone; only the lifecycle is shared, so one SIGTERM stops them all in order.
import { loadGatewayConfig, startGateway } from '@switchboard/gateway';
import { loadGuildConfig, startGuild } from '@switchboard/guild';
import { loadPresenceConfig, startPresence } from '@switchboard/presence';
import { loadPushConfig, startPush } from '@switchboard/push';
import type { RunningGateway } from '@switchboard/gateway';
import type { RunningGuild } from '@switchboard/guild';
import type { RunningPresence } from '@switchboard/presence';
import type { RunningPush } from '@switchboard/push';
import { createLogger, createServiceContext, Lifecycle, MemoryEventLog, SnowflakeGenerator } from '@switchboard/runtime';
import type { EventLog } from '@switchboard/runtime';
import { demoMessageCommand, seedDemoGuild } from './demo';
import type { DemoGuild } from './demo';

type Env = Readonly<Record<string, string | undefined>>;

export interface Mesh {
  readonly lifecycle: Lifecycle;
  readonly eventLog: EventLog;
  readonly services: { guild: RunningGuild; presence: RunningPresence; push: RunningPush; gateway: RunningGateway };
  /** A user id and a token for it, and the demo guild they own, so a newcomer can connect at once. */
  readonly demo: DemoGuild & { token: string };
  stop(): Promise<void>;
}

export interface MeshOptions {
  /** Shut down last, after every service stopped (so their final spans are flushed). */
  telemetry?: { shutdown(): Promise<void> };
}

export async function startMesh(env: Env = process.env, options: MeshOptions = {}): Promise<Mesh> {
  // Validate every service's settings before starting any, so a bad variable fails fast.
  const configs = {
    gateway: loadGatewayConfig(env),
    guild: loadGuildConfig(env),
    presence: loadPresenceConfig(env),
    push: loadPushConfig(env),
  };
  const logger = createLogger({ service: 'mesh', level: configs.gateway.logLevel });
  const lifecycle = new Lifecycle({ logger, graceMs: configs.gateway.shutdownGraceMs });
  const { telemetry } = options;
  if (telemetry) lifecycle.onShutdown('telemetry', () => telemetry.shutdown());
  const eventLog = new MemoryEventLog({ logger });
  lifecycle.onShutdown('event log', () => eventLog.close());
  const shared = { lifecycle };
  // Process metrics (CPU, heap, GC) once, on the gateway's registry: the process is shared.
  // Guild and presence call each other over gRPC, as in a cluster (their ports may be OS-picked):
  // guild starts first and learns the presence address once presence is up (until then its
  // presence reads find everyone offline).
  let presenceUp: (address: string) => void = () => undefined;
  const presenceAddress = new Promise<string>((resolve) => (presenceUp = resolve));
  const guild = await startGuild(createServiceContext('guild', configs.guild, { ...shared, processMetrics: false }), { eventLog, presenceAddress });
  // The gateway and presence reach the guild service over gRPC, as in a cluster (its port may be OS-picked).
  const guildAddress = `127.0.0.1:${guild.grpcPort}`;
  const presenceConfig = loadPresenceConfig({ GUILD_ADDRESS: guildAddress, ...env });
  const presence = await startPresence(createServiceContext('presence', presenceConfig, { ...shared, processMetrics: false }), { eventLog });
  presenceUp(`127.0.0.1:${presence.grpcPort}`);
  const push = await startPush(createServiceContext('push', configs.push, { ...shared, processMetrics: false }), { eventLog });
  const gatewayConfig = loadGatewayConfig({ GUILD_ADDRESS: guildAddress, ...env });
  const gateway = await startGateway(createServiceContext('gateway', gatewayConfig, shared), { eventLog });
  const services = { guild, presence, push, gateway };
  const ids = new SnowflakeGenerator({ workerId: 31, processId: 31 });
  const demo = await seedDemoGuild(guildAddress, ids.next(), ids.next());
  const token = gateway.access.signer.sign({ userId: demo.userId, issuedAt: Math.floor(Date.now() / 1000) });
  return { lifecycle, eventLog, services, demo: { ...demo, token }, stop: () => lifecycle.shutdown('stop') };
}

/** The lines `make dev` prints so a newcomer knows where everything is. */
export function describeMesh(mesh: Mesh): string {
  const rows = Object.entries(mesh.services).map(([name, running]) => {
    const host = running.context.config.host === '0.0.0.0' ? 'localhost' : running.context.config.host;
    return `  ${name.padEnd(9)} gRPC ${host}:${running.grpcPort}   HTTP ${running.ops.url.replace('127.0.0.1', host)}  (/healthz /readyz /metrics)`;
  });
  const gatewayUrl = `ws://localhost:${mesh.services.gateway.edge.server.port}`;
  return [
    'Switchboard is running (embedded mode: in-memory event log, PGlite).',
    ...rows,
    `  clients:  ${gatewayUrl}/?v=10&encoding=json  (REST base for discord.js: http://localhost:${mesh.services.gateway.edge.server.port}/api)`,
    `  token:    ${mesh.demo.token}   (user ${mesh.demo.userId}; mint more: node services/gateway/dist/cli.js mint-token --user ID)`,
    `  demo:     guild ${mesh.demo.guildId} with #general ${mesh.demo.channelId}; post a message to it with`,
    `            ${demoMessageCommand(mesh.services.guild.grpcPort, mesh.demo)}`,
    '  try:     grpcurl -plaintext localhost:' + mesh.services.guild.grpcPort + ' list   (make grpcurl installs it into .local/bin)',
    'Ctrl-C stops everything.',
  ].join('\n');
}
