// op 14 GUILD_SUBSCRIPTIONS, the gateway side: which guilds each session looks at ("active": a
// large guild sends its message traffic only to active sessions and to the users it mentions)
// and which member-list ranges it shows. Activity is refcounted per (guild, user) in the
// InterestTracker, so it rides the batched InterestChange and the reconnect snapshot; member-list
// subscriptions go to every guild instance (only the partition owner answers, and ownership
// moves) and are re-sent after every (re)connect's interest snapshot.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { guildV1 } from '@switchboard/proto';
import type { GuildSubscriptionsCommand, GuildSubscriptionSink, ListRange, Session, SessionRegistry, SessionRegistryObserver } from '../session';
import type { FanoutRequestInit } from './fanout-stream';
import { interestKey } from './interest-tracker';
import type { InterestTracker } from './interest-tracker';

/**
 * Guilds one session is active in at once. Discord's client subscribes the guild on screen; a
 * few more cover quick switching. Activating one more deactivates the least recently requested
 * (and drops its member lists).
 */
export const MAX_ACTIVE_GUILDS = 5;
/** Member lists (channels) one session keeps per guild; one more drops the least recently requested. */
export const MAX_LISTS_PER_GUILD = 5;

type MemberListInit = MessageInitShape<typeof guildV1.MemberListRequestSchema>;

interface SessionActivity {
  /** Active guild ids, least recently requested first. */
  active: string[];
  /** Guild id → channel id → ranges, least recently requested first (Map insertion order). */
  lists: Map<string, Map<string, ListRange[]>>;
}

export interface GuildActivityOptions {
  registry: SessionRegistry;
  tracker: InterestTracker;
  /** Sends one request on every guild stream (FanoutLink.broadcast). */
  broadcast: (message: FanoutRequestInit) => void;
}

export class GuildActivity implements GuildSubscriptionSink, SessionRegistryObserver {
  readonly #options: GuildActivityOptions;
  readonly #sessions = new Map<Session, SessionActivity>();
  readonly #activeByGuild = new Map<string, Set<Session>>();

  constructor(options: GuildActivityOptions) {
    this.#options = options;
  }

  /** The sessions active in `guildId`. */
  activeSessions(guildId: string): ReadonlySet<Session> {
    return this.#activeByGuild.get(guildId) ?? EMPTY;
  }

  isActive(session: Session, guildId: string): boolean {
    return this.#activeByGuild.get(guildId)?.has(session) ?? false;
  }

  /** The guilds `session` is active in, least recently requested first (tests, diagnostics). */
  activeGuildsOf(session: Session): readonly string[] {
    return this.#sessions.get(session)?.active ?? [];
  }

  guildSubscriptions(sessionId: string, command: GuildSubscriptionsCommand): void {
    const { registry, tracker } = this.#options;
    const session = registry.get(sessionId);
    const { guildId } = command;
    // Not a guild of this session (or not on its shard): nothing to look at.
    if (!session || !registry.isSubscribed(session, guildId)) return;
    const activity = this.#activityOf(session);
    this.#activate(session, activity, guildId);
    // The activation goes out before the list requests that follow it.
    tracker.flush();
    for (const [channelId, ranges] of command.channels) this.#setList(session, activity, guildId, channelId, ranges);
  }

  /** Every member-list subscription, for a (re)connecting stream. */
  listSnapshot(): FanoutRequestInit[] {
    const messages: FanoutRequestInit[] = [];
    for (const [session, activity] of this.#sessions) {
      for (const [guildId, lists] of activity.lists) {
        for (const [channelId, ranges] of lists) messages.push(memberList(session, guildId, channelId, ranges));
      }
    }
    return messages;
  }

  sessionAdded(): void {
    // A session starts passive everywhere; op 14 activates it.
  }

  subscribed(): void {
    // Likewise for a guild joined later.
  }

  unsubscribed(session: Session, guildId: string): void {
    const activity = this.#sessions.get(session);
    if (!activity) return;
    this.#deactivate(session, activity, guildId);
    this.#forget(session, activity);
  }

  sessionRemoved(session: Session): void {
    // Every guild was unsubscribed just before; this only catches what a guild-less state left.
    const activity = this.#sessions.get(session);
    if (!activity) return;
    for (const guildId of [...activity.active]) this.#deactivate(session, activity, guildId);
    this.#sessions.delete(session);
  }

  #activityOf(session: Session): SessionActivity {
    let activity = this.#sessions.get(session);
    if (!activity) this.#sessions.set(session, (activity = { active: [], lists: new Map() }));
    return activity;
  }

  #activate(session: Session, activity: SessionActivity, guildId: string): void {
    const index = activity.active.indexOf(guildId);
    if (index >= 0) {
      activity.active.splice(index, 1);
      activity.active.push(guildId);
      return;
    }
    activity.active.push(guildId);
    let sessions = this.#activeByGuild.get(guildId);
    if (!sessions) this.#activeByGuild.set(guildId, (sessions = new Set()));
    sessions.add(session);
    this.#options.tracker.activate(guildId, session.userId);
    while (activity.active.length > MAX_ACTIVE_GUILDS) this.#deactivate(session, activity, activity.active[0]!);
  }

  /** Ends the session's activity in `guildId` and drops its member lists there. */
  #deactivate(session: Session, activity: SessionActivity, guildId: string): void {
    const index = activity.active.indexOf(guildId);
    if (index >= 0) {
      activity.active.splice(index, 1);
      const sessions = this.#activeByGuild.get(guildId);
      sessions?.delete(session);
      if (sessions?.size === 0) this.#activeByGuild.delete(guildId);
      this.#options.tracker.deactivate(guildId, session.userId);
    }
    const lists = activity.lists.get(guildId);
    if (!lists) return;
    activity.lists.delete(guildId);
    // The guild instances drop a user's lists with the user's interest in the guild: say so only
    // while that interest stays (other sessions of the user, or this one still subscribed).
    if (!this.#options.tracker.wants(interestKey('g', guildId, session.userId))) return;
    for (const channelId of lists.keys()) this.#options.broadcast(memberList(session, guildId, channelId, []));
  }

  #setList(session: Session, activity: SessionActivity, guildId: string, channelId: string, ranges: ListRange[]): void {
    let lists = activity.lists.get(guildId);
    if (ranges.length === 0) {
      if (!lists?.delete(channelId)) return;
      if (lists.size === 0) activity.lists.delete(guildId);
      this.#options.broadcast(memberList(session, guildId, channelId, []));
      return;
    }
    if (!lists) activity.lists.set(guildId, (lists = new Map()));
    lists.delete(channelId);
    lists.set(channelId, ranges);
    this.#options.broadcast(memberList(session, guildId, channelId, ranges));
    for (const oldest of lists.keys()) {
      if (lists.size <= MAX_LISTS_PER_GUILD) break;
      lists.delete(oldest);
      this.#options.broadcast(memberList(session, guildId, oldest, []));
    }
  }

  /** Drops the session's record once nothing is left in it. */
  #forget(session: Session, activity: SessionActivity): void {
    if (activity.active.length === 0 && activity.lists.size === 0) this.#sessions.delete(session);
  }
}

const EMPTY: ReadonlySet<Session> = new Set();

function memberList(session: Session, guildId: string, channelId: string, ranges: readonly ListRange[]): FanoutRequestInit {
  const value: MemberListInit = {
    guildId,
    channelId,
    sessionId: session.id!,
    userId: session.userId.toString(),
    ranges: ranges.map(([first, last]) => ({ first, last })),
  };
  return { kind: { case: 'memberList', value } };
}
