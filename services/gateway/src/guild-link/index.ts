// The gateway's link to the guild service: interest tracking from the session registry, one
// Fanout stream per guild instance, event application with dedupe and acks, and the
// GuildDirectory / MemberRequester ports over gRPC. startGuildLink wires them together.
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';
import type { GuildDirectory, GuildSubscriptionSink, MemberRequester, SessionRegistry } from '../session';
import { EventApplier } from './event-applier';
import { FanoutLink } from './fanout-link';
import { GuildActivity } from './guild-activity';
import type { BackoffPolicy, GuildClient, LinkLogger } from './fanout-stream';
import { GrpcGuildDirectory } from './guild-directory';
import { GuildInstances } from './guild-instances';
import type { FanoutTargets, GuildLinkConfig } from './guild-instances';
import { InterestTracker } from './interest-tracker';
import { GrpcMemberRequester } from './member-requester';
import { GuildLinkMetrics } from './metrics';

export * from './event-applier';
export * from './fanout-link';
export * from './fanout-stream';
export * from './guild-activity';
export * from './guild-directory';
export * from './guild-instances';
export * from './interest-tracker';
export * from './member-requester';
export * from './metrics';

export interface GuildLinkOptions {
  registry: SessionRegistry;
  instanceId: string;
  /** The guild service for unary calls (host:port). */
  guildAddress: string;
  /** Every guild instance for the fan-out streams; default [guildAddress]. */
  targets?: FanoutTargets | undefined;
  logger: LinkLogger;
  /** Metrics registry (the service's); unset → no metrics. */
  metricsRegistry?: Registry | undefined;
  settings?: Partial<Omit<GuildLinkConfig, 'guildAddress' | 'guildFanoutTargets'>>;
  backoff?: BackoffPolicy;
  /** Client factory (tests); default createClient(GuildService, address). */
  clientFor?: (address: string) => GuildClient;
}

export interface GuildLink {
  readonly directory: GuildDirectory;
  readonly members: MemberRequester;
  /** op 14: activity in guilds and member-list subscriptions. */
  readonly activity: GuildActivity;
  readonly guildSubscriptions: GuildSubscriptionSink;
  readonly tracker: InterestTracker;
  readonly fanout: FanoutLink;
  readonly applier: EventApplier;
  /** Waits until every connected guild instance applied the interest changes made so far. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULTS = {
  guildFanoutDnsIntervalMs: 10_000,
  guildSyncTimeoutMs: 5_000,
  guildCallTimeoutMs: 10_000,
  memberRequestLimit: 10,
  memberRequestWindowMs: 10_000,
};

/** Starts the link: observes the registry, opens the streams (resolving `dns:` targets first). */
export async function startGuildLink(options: GuildLinkOptions): Promise<GuildLink> {
  const settings = { ...DEFAULTS, ...options.settings };
  const { registry, logger } = options;
  const metrics = options.metricsRegistry ? new GuildLinkMetrics(options.metricsRegistry) : undefined;
  const clientFor = options.clientFor ?? ((address: string) => createClient(guildV1.GuildService, address));
  const tracker = new InterestTracker();
  const stopObserving = registry.observe(tracker);
  let applier: EventApplier | undefined;
  let fanout: FanoutLink | undefined;
  // Observes after the tracker: when a session leaves a guild, the tracker's count is already down.
  const activity = new GuildActivity({ registry, tracker, broadcast: (message) => fanout?.broadcast(message) });
  const stopObservingActivity = registry.observe(activity);
  fanout = new FanoutLink({
    instanceId: options.instanceId,
    tracker,
    onEvent: (event, stream, call) => applier!.receive(event, stream, call),
    onInterestApplied: () => applier!.holdUntilNextTurn(),
    listSnapshot: () => activity.listSnapshot(),
    logger,
    metrics,
    syncTimeoutMs: settings.guildSyncTimeoutMs,
    backoff: options.backoff,
    clientFor,
  });
  const sync = (): Promise<void> => fanout!.sync();
  applier = new EventApplier({ registry, activity, sync, logger, metrics });
  const client = clientFor(options.guildAddress);
  const directory = new GrpcGuildDirectory({ client, tracker, membership: applier, sync, timeoutMs: settings.guildCallTimeoutMs, logger });
  const members = new GrpcMemberRequester({
    client, registry, timeoutMs: settings.guildCallTimeoutMs, limit: settings.memberRequestLimit, windowMs: settings.memberRequestWindowMs, logger, metrics,
  });
  const instances = new GuildInstances(options.targets ?? { kind: 'static', addresses: [options.guildAddress] }, (addresses) => {
    logger.info({ guildInstances: addresses }, 'guild instances for fan-out');
    fanout.setTargets(addresses);
  }, { intervalMs: settings.guildFanoutDnsIntervalMs, onError: (error) => logger.warn({ err: error }, 'resolving the guild instances failed') });
  await instances.start();
  return {
    directory,
    members,
    activity,
    guildSubscriptions: activity,
    tracker,
    fanout,
    applier,
    sync,
    async close() {
      instances.close();
      stopObservingActivity();
      stopObserving();
      await fanout!.close();
      closeClient(client);
    },
  };
}
