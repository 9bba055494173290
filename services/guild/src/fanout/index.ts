// The guild service's fan-out: the Fanout stream server (gateways' interests and acks) and the
// partition owner (apply, fan out, push, commit after delivery). createFanout wires them.
import type { EventLog, Registry } from '@switchboard/runtime';
import { FanoutMetrics } from './fanout-metrics';
import { FanoutService } from './fanout-service';
import type { FanoutHandler, FanoutLogger } from './fanout-service';
import type { GatewayStream } from './gateway-stream';
import { GuildOwner } from './guild-owner';
import { InterestTable } from './interest-table';
import { MemberListHub } from './member-list-hub';
import { InterestPresence, ReportedPresence } from './member-presence';
import type { MemberPresence, StatusRead } from './member-presence';
import type { MemberListLoader } from './member-list-loader';
import { PushTrigger } from './push-trigger';
import { ScopeStateCache } from './scope-state';
import type { ScopeStateLoader } from './scope-state';

export { InterestTable } from './interest-table';
export { GatewayStream } from './gateway-stream';
export type { AckOutcome, FanoutMessageInit } from './gateway-stream';
export { FanoutService } from './fanout-service';
export type { FanoutHandler, FanoutLogger } from './fanout-service';
export { GuildOwner, DEFAULT_ACK_TIMEOUT_MS, DEFAULT_OWNER_GROUP_ID } from './guild-owner';
export type { GuildOwnerOptions } from './guild-owner';
export { PushTrigger, PUSH_BODY_MAX_CHARS } from './push-trigger';
export { FanoutMetrics } from './fanout-metrics';
export type { ScopeState, ScopeStateLoader } from './scope-state';
export { MemberListHub } from './member-list-hub';
export { InterestPresence, memberStatus, ReportedPresence } from './member-presence';
export type { MemberPresence, StatusRead } from './member-presence';
export { SqlMemberListLoader } from './member-list-loader';
export type { GuildListData, MemberListLoader, MemberProfile } from './member-list-loader';

export interface FanoutOptions {
  eventLog: EventLog;
  /** Loads a guild's state (GuildStateLoader satisfies it). */
  loader: ScopeStateLoader;
  registry: Registry;
  logger: FanoutLogger;
  ackTimeoutMs?: number;
  /** Defaults: GUILD_EVENTS_TOPIC, PUSH_REQUESTS_TOPIC, DEFAULT_OWNER_GROUP_ID. */
  topic?: string;
  pushTopic?: string;
  groupId?: string;
  /** The events topic's partition count; asked of the log when absent. */
  partitions?: number;
  maxAttempts?: number;
  /** Large-guild threshold for passive sessions (GUILD_PASSIVE_THRESHOLD); undefined = never. */
  passiveThreshold?: number;
  /** Member lists (op 14): their source of names and roles; without it, list requests are ignored. */
  memberListLoader?: MemberListLoader;
  /** Members' status in the lists; default what PRESENCE_UPDATE reported, else online while some gateway holds a session. */
  presence?: MemberPresence;
  /** How long a retried record waits for a gateway whose stream was cut before it acked (default 5 s). */
  rejoinWaitMs?: number;
  /** Seeds the default `presence` when a guild's lists load (GetPresences: users not offline). */
  readStatuses?: StatusRead;
}

export interface Fanout {
  /** GuildService's `fanout` method: `implement(guildV1.GuildService, { ..., fanout: fanout.handler })`. */
  readonly handler: FanoutHandler;
  readonly service: FanoutService;
  readonly table: InterestTable<GatewayStream>;
  /** The member lists, when a memberListLoader was given. */
  readonly lists: MemberListHub | undefined;
  /** Set by start(). */
  readonly owner: GuildOwner | undefined;
  /** Joins the owners' consumer group (the topics must exist: ensureTopics(guildTopicSpecs(n))). */
  start(): Promise<void>;
  /** Stops owning (in-flight records finish their ack waits), then ends every gateway stream. */
  stop(): Promise<void>;
}

export function createFanout(options: FanoutOptions): Fanout {
  const metrics = new FanoutMetrics(options.registry);
  const table = new InterestTable<GatewayStream>();
  const states = new ScopeStateCache(options.loader);
  let owner: GuildOwner | undefined;
  const lists = options.memberListLoader
    ? new MemberListHub({
        loader: options.memberListLoader, states, presence: options.presence ?? new ReportedPresence(new InterestPresence(table), options.readStatuses), metrics, logger: options.logger,
      })
    : undefined;
  if (lists) lists.ownership = { owns: (guildId) => owner?.ownsGuild(guildId) ?? false };
  const service = new FanoutService({ metrics, logger: options.logger, table, ...(lists ? { listener: lists } : {}) });
  const push = new PushTrigger(options.eventLog, service.table, options.pushTopic);
  return {
    handler: service.handler,
    service,
    table: service.table,
    lists,
    get owner() {
      return owner;
    },
    async start() {
      if (owner) return;
      owner = await GuildOwner.start({
        eventLog: options.eventLog,
        loader: options.loader,
        table: service.table,
        push,
        metrics,
        logger: options.logger,
        topic: options.topic,
        groupId: options.groupId,
        ackTimeoutMs: options.ackTimeoutMs,
        partitions: options.partitions,
        maxAttempts: options.maxAttempts,
        passiveThreshold: options.passiveThreshold,
        states,
        gateways: service,
        ...(options.rejoinWaitMs === undefined ? {} : { rejoinWaitMs: options.rejoinWaitMs }),
        ...(lists ? { lists } : {}),
      });
      // The group may have assigned partitions before `owner` was set: look again.
      lists?.ownershipChanged();
    },
    async stop() {
      const running = owner;
      owner = undefined;
      await running?.stop();
      service.closeAll();
    },
  };
}
