// One guild's member lists at its owner: the members' list fields and the roles (from the loader,
// then the guild's events), one MemberList per visibility (channels whose VIEW_CHANNEL overwrites
// match share it) holding the members who can view its channel, and who watches which ranges.
// Every change returns the GUILD_MEMBER_LIST_UPDATE payloads to send and to which subscribers.
// Synchronous throughout: a change and the sending of its ops happen in one turn, so each
// stream gets a list's ops in the order the list went through them.
import { listVisibility, MemberList, MemberListSubscriptions } from '../member-list';
import type { ListRole, MemberListOp, MemberListUpdate, MemberStatus } from '../member-list';
import type { ListSubscriber } from './list-subscribers';
import type { GuildListData, MemberProfile } from './member-list-loader';
import type { ScopeState } from './scope-state';

/** What the lists need of the guild's state: who can view a channel, and its overwrites. */
export type ListGuildView = Pick<ScopeState, 'canView' | 'channelOverwrites'>;

export interface ListDelivery {
  readonly subscribers: readonly ListSubscriber[];
  readonly update: MemberListUpdate;
}

interface HeldList {
  readonly list: MemberList;
  readonly subscriptions: MemberListSubscriptions<ListSubscriber>;
  /** A channel of this visibility, to ask canView with (every channel of the key answers alike). */
  readonly channelId: bigint;
}

export class GuildMemberLists {
  readonly #profiles = new Map<bigint, MemberProfile>();
  readonly #roles = new Map<bigint, ListRole>();
  readonly #lists = new Map<string, HeldList>();
  readonly #keyOf = new Map<ListSubscriber, string>();
  #ownerId: bigint | undefined;

  constructor(
    readonly guildId: bigint,
    data: GuildListData,
    private readonly statusOf: (userId: bigint) => MemberStatus,
  ) {
    for (const member of data.members) this.#profiles.set(member.userId, member);
    for (const role of data.roles) this.#roles.set(role.id, role);
    this.#ownerId = data.ownerId;
  }

  /** Records the guild's owner; true when it changed (the caller rebuilds). */
  setOwner(ownerId: bigint): boolean {
    if (ownerId === this.#ownerId) return false;
    this.#ownerId = ownerId;
    return true;
  }

  get listCount(): number {
    return this.#lists.size;
  }

  get subscriberCount(): number {
    return this.#keyOf.size;
  }

  /** Whether a subscriber watches this channel's list (a change to it must resync them). */
  watches(channelId: bigint): boolean {
    for (const subscriber of this.#keyOf.keys()) if (subscriber.channelId === channelId) return true;
    return false;
  }

  /**
   * Subscribes (or changes the ranges of) a subscriber: the SYNC of its ranges. Undefined, and
   * nothing held, when its user cannot view the channel (the list would show them who can).
   */
  subscribe(subscriber: ListSubscriber, view: ListGuildView): ListDelivery | undefined {
    const overwrites = view.channelOverwrites(subscriber.channelId);
    if (overwrites === undefined || !view.canView(subscriber.userId, subscriber.channelId)) {
      this.unsubscribe(subscriber);
      return undefined;
    }
    const visibility = listVisibility(overwrites);
    if (this.#keyOf.get(subscriber) !== visibility.key) this.unsubscribe(subscriber);
    let held = this.#lists.get(visibility.key);
    if (!held) {
      held = this.#build(visibility.listId, subscriber.channelId, view);
      this.#lists.set(visibility.key, held);
    }
    this.#keyOf.set(subscriber, visibility.key);
    const ops = held.subscriptions.subscribe(subscriber, subscriber.ranges);
    return { subscribers: [subscriber], update: held.list.update(ops) };
  }

  /** Stops sending to the subscriber; a list nobody watches any more is let go. */
  unsubscribe(subscriber: ListSubscriber): void {
    const key = this.#keyOf.get(subscriber);
    if (key === undefined) return;
    this.#keyOf.delete(subscriber);
    const held = this.#lists.get(key)!;
    held.subscriptions.unsubscribe(subscriber);
    if (held.subscriptions.sessionCount === 0) this.#lists.delete(key);
  }

  /** A member joined or changed (name, nick, roles): in or out of each list as it can view. */
  upsertMember(profile: MemberProfile, view: ListGuildView): ListDelivery[] {
    this.#profiles.set(profile.userId, profile);
    const status = this.statusOf(profile.userId);
    return this.#each((held) =>
      view.canView(profile.userId, held.channelId) ? held.list.upsert({ ...profile, status }) : held.list.remove(profile.userId),
    );
  }

  removeMember(userId: bigint): ListDelivery[] {
    this.#profiles.delete(userId);
    return this.#each((held) => held.list.remove(userId));
  }

  /** The user's status may have changed (a session came or went): moves them between groups. */
  refreshStatus(userId: bigint): ListDelivery[] {
    if (!this.#profiles.has(userId)) return [];
    const status = this.statusOf(userId);
    return this.#each((held) => held.list.setPresence(userId, status));
  }

  setRole(role: ListRole): void {
    this.#roles.set(role.id, role);
  }

  deleteRole(roleId: bigint): void {
    this.#roles.delete(roleId);
    for (const [userId, profile] of this.#profiles) {
      if (profile.roles.includes(roleId)) this.#profiles.set(userId, { ...profile, roles: profile.roles.filter((id) => id !== roleId) });
    }
  }

  /**
   * Permissions, overwrites or roles changed: who is in which list may have changed wholesale.
   * Builds every list again from the profiles and sends each subscriber a SYNC of its ranges
   * (what the list's INVALIDATE path does); subscribers who lost the channel are dropped.
   */
  rebuild(view: ListGuildView): ListDelivery[] {
    const subscribers = [...this.#keyOf.keys()];
    this.#lists.clear();
    this.#keyOf.clear();
    const deliveries: ListDelivery[] = [];
    for (const subscriber of subscribers) {
      const delivery = this.subscribe(subscriber, view);
      if (delivery) deliveries.push(delivery);
    }
    return deliveries;
  }

  #build(listId: string, channelId: bigint, view: ListGuildView): HeldList {
    const list = new MemberList({ guildId: this.guildId, listId, roles: [...this.#roles.values()] });
    for (const profile of this.#profiles.values()) {
      if (view.canView(profile.userId, channelId)) list.upsert({ ...profile, status: this.statusOf(profile.userId) });
    }
    return { list, subscriptions: new MemberListSubscriptions<ListSubscriber>(list), channelId };
  }

  #each(change: (held: HeldList) => MemberListOp[]): ListDelivery[] {
    const deliveries: ListDelivery[] = [];
    for (const held of this.#lists.values()) {
      const ops = change(held);
      for (const { sessions, ops: routed } of held.subscriptions.route(ops)) {
        deliveries.push({ subscribers: sessions, update: held.list.update(routed) });
      }
    }
    return deliveries;
  }
}
