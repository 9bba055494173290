// One guild's member list for one visibility (list id): online members grouped by their highest
// hoisted role, then "online", then "offline" while the guild is small enough, each group sorted
// by display name. The list is flattened as the client sees it: a header item for every
// non-empty group followed by its members, so a member's index is its group's start + 1 + its
// rank in the group. Every change returns the ops that turn the previous flattened list into the
// new one, in order (each index refers to the list as left by the ops before it).
import { OrderStatisticSet } from './order-statistic-set';
import { ShardedMap } from './sharded-map';
import { compareSortKeys, displayNameOf, sortKeyOf } from './sort-key';
import type { MemberSortKey } from './sort-key';
import { OFFLINE_GROUP, ONLINE_GROUP } from './member-list-types';
import type { ListGroup, ListItem, ListMember, ListRole, MemberListOp, MemberListUpdate, MemberStatus } from './member-list-types';

export interface MemberListOptions {
  readonly guildId: bigint;
  /** "everyone", or the hash of the view overwrites of the channels that share this list. */
  readonly listId?: string;
  readonly roles?: readonly ListRole[];
  /** Offline members are listed while the list has at most this many members (Discord: 1,000). */
  readonly offlineThreshold?: number;
  /** Passed to the sorted sets; see OrderStatisticSet. */
  readonly nodeCapacity?: number;
}

export const DEFAULT_OFFLINE_THRESHOLD = 1000;

/** A member in the list. Sort-key fields never change: a new name makes a new entry. */
class Entry implements MemberSortKey {
  /**
   * The rendered item once a SYNC showed it, kept until the member or the role layout changes:
   * the ranges clients look at (the top of the list) are rendered once. Ops do not keep theirs,
   * so members nobody scrolls to cost no item memory.
   */
  item: ListItem | null = null;

  constructor(
    readonly name: string,
    readonly userId: bigint,
    readonly prefix: number,
    public member: ListMember,
    public group: Group | null,
  ) {}

  setMember(member: ListMember): void {
    this.member = member;
    this.item = null;
  }
}

class Group {
  constructor(
    readonly id: string,
    /** Position in the list's group order; lower comes first. */
    readonly order: number,
    readonly members: OrderStatisticSet<Entry>,
  ) {}
}

const prefixOf = (entry: Entry) => entry.prefix;

export class MemberList {
  readonly guildId: bigint;
  readonly listId: string;
  readonly #offlineThreshold: number;
  readonly #nodeCapacity: number | undefined;
  readonly #entries = new ShardedMap<Entry>();
  #roles: readonly ListRole[];
  #groups: Group[] = [];
  #roleGroups = new Map<bigint, Group>();
  #online!: Group;
  #offline: Group | null = null;
  #onlineCount = 0;

  constructor(options: MemberListOptions) {
    this.guildId = options.guildId;
    this.listId = options.listId ?? 'everyone';
    this.#offlineThreshold = options.offlineThreshold ?? DEFAULT_OFFLINE_THRESHOLD;
    this.#nodeCapacity = options.nodeCapacity;
    this.#roles = options.roles ?? [];
    this.#layOutGroups();
  }

  /** Every member of the list, listed or not (offline members of a large guild are not). */
  get memberCount(): number {
    return this.#entries.size;
  }

  get onlineCount(): number {
    return this.#onlineCount;
  }

  /** Items in the flattened list (group headers included). */
  get length(): number {
    let total = 0;
    for (const group of this.#groups) if (group.members.size > 0) total += group.members.size + 1;
    return total;
  }

  /** The non-empty groups in list order, as in GUILD_MEMBER_LIST_UPDATE.groups. */
  groups(): ListGroup[] {
    return this.#groups.filter((g) => g.members.size > 0).map((g) => ({ id: g.id, count: g.members.size }));
  }

  /** Flattened index of the member, or -1 if the member is not listed. */
  indexOf(userId: bigint): number {
    const entry = this.#entries.get(userId);
    if (entry === undefined || entry.group === null) return -1;
    return this.#startOf(entry.group) + 1 + entry.group.members.rank(entry);
  }

  itemAt(index: number): ListItem | undefined {
    return this.items(index, index)[0];
  }

  /** Items at flattened indexes [first, last] (inclusive, clamped to the list). */
  items(first: number, last: number): ListItem[] {
    const out: ListItem[] = [];
    let start = 0;
    for (const group of this.#groups) {
      const size = group.members.size;
      if (size === 0) continue;
      if (start > last) break;
      if (start >= first) out.push(this.#headerItem(group));
      const from = Math.max(first - start - 1, 0);
      const to = Math.min(last - start - 1, size - 1);
      if (from <= to) group.members.forEachInRange(from, to + 1, (entry) => out.push((entry.item ??= this.#memberItem(entry))));
      start += size + 1;
    }
    return out;
  }

  /** Adds the member or applies a change to it (name, roles, status, extra fields). */
  upsert(member: ListMember): MemberListOp[] {
    const old = this.#entries.get(member.userId);
    this.#onlineCount += (isOnline(member.status) ? 1 : 0) - (old !== undefined && isOnline(old.member.status) ? 1 : 0);
    if (old === undefined) {
      const lengthBefore = this.length;
      const entry = this.#newEntry(member);
      this.#entries.set(member.userId, entry);
      if (this.#offlineListingChanged()) return invalidate(lengthBefore, this.length);
      const ops: MemberListOp[] = [];
      this.#attach(entry, this.#groupFor(member), ops);
      return ops;
    }
    return this.#change(old, member);
  }

  remove(userId: bigint): MemberListOp[] {
    const entry = this.#entries.get(userId);
    if (entry === undefined) return [];
    const lengthBefore = this.length;
    this.#entries.delete(userId);
    if (isOnline(entry.member.status)) this.#onlineCount--;
    const ops: MemberListOp[] = [];
    this.#detach(entry, ops);
    if (this.#offlineListingChanged()) return invalidate(lengthBefore, this.length);
    return ops;
  }

  setPresence(userId: bigint, status: MemberStatus): MemberListOp[] {
    const entry = this.#entries.get(userId);
    if (entry === undefined || entry.member.status === status) return [];
    this.#onlineCount += (isOnline(status) ? 1 : 0) - (isOnline(entry.member.status) ? 1 : 0);
    return this.#change(entry, { ...entry.member, status });
  }

  /** The guild's roles changed; regroups everyone (one INVALIDATE) if the hoisted order changed. */
  setRoles(roles: readonly ListRole[]): MemberListOp[] {
    const before = hoistedOrder(this.#roles).join(',');
    this.#roles = roles;
    if (hoistedOrder(roles).join(',') === before) return [];
    const lengthBefore = this.length;
    this.#layOutGroups();
    return invalidate(lengthBefore, this.length);
  }

  /** Wraps ops in the GUILD_MEMBER_LIST_UPDATE payload with the list's current counts. */
  update(ops: readonly MemberListOp[]): MemberListUpdate {
    return {
      guild_id: String(this.guildId),
      id: this.listId,
      member_count: this.memberCount,
      online_count: this.#onlineCount,
      groups: this.groups(),
      ops,
    };
  }

  #change(old: Entry, member: ListMember): MemberListOp[] {
    const ops: MemberListOp[] = [];
    const group = this.#groupFor(member);
    // Same display name, same sort key: skips lower-casing on presence and role changes.
    const sameKey = displayNameOf(member) === displayNameOf(old.member) || sortKeyOf(member).name === old.name;
    if (group !== old.group) {
      this.#detach(old, ops);
      const entry = sameKey ? old : this.#replaceEntry(old, member);
      entry.setMember(member);
      this.#attach(entry, group, ops);
      return ops;
    }
    const entry = sameKey ? old : this.#replaceEntry(old, member);
    entry.setMember(member);
    if (group === null) return ops;
    const start = this.#startOf(group);
    if (entry === old) {
      ops.push({ op: 'UPDATE', index: start + 1 + group.members.rank(entry), item: this.#memberItem(entry) });
      return ops;
    }
    const oldIndex = start + 1 + group.members.remove(old);
    const index = start + 1 + group.members.insert(entry);
    if (index === oldIndex) ops.push({ op: 'UPDATE', index, item: this.#memberItem(entry) });
    else ops.push({ op: 'DELETE', index: oldIndex }, { op: 'INSERT', index, item: this.#memberItem(entry) });
    return ops;
  }

  // Takes the entry out of its group: DELETE the member, then update or delete the header.
  #detach(entry: Entry, ops: MemberListOp[]): void {
    const group = entry.group;
    if (group === null) return;
    const start = this.#startOf(group);
    ops.push({ op: 'DELETE', index: start + 1 + group.members.remove(entry) });
    entry.group = null;
    if (group.members.size === 0) ops.push({ op: 'DELETE', index: start });
    else ops.push({ op: 'UPDATE', index: start, item: this.#headerItem(group) });
  }

  // Puts the entry in a group: insert or update the header, then INSERT the member.
  #attach(entry: Entry, group: Group | null, ops: MemberListOp[]): void {
    entry.group = group;
    if (group === null) return;
    const start = this.#startOf(group);
    const wasEmpty = group.members.size === 0;
    const rank = group.members.insert(entry);
    const header = this.#headerItem(group);
    ops.push(wasEmpty ? { op: 'INSERT', index: start, item: header } : { op: 'UPDATE', index: start, item: header });
    ops.push({ op: 'INSERT', index: start + 1 + rank, item: this.#memberItem(entry) });
  }

  #newEntry(member: ListMember): Entry {
    const key = sortKeyOf(member);
    return new Entry(key.name, member.userId, key.prefix, member, null);
  }

  // A new sort key: the old entry must already be out of any set, or be swapped by the caller.
  #replaceEntry(old: Entry, member: ListMember): Entry {
    const entry = this.#newEntry(member);
    entry.group = old.group;
    this.#entries.set(member.userId, entry);
    return entry;
  }

  #startOf(target: Group): number {
    let start = 0;
    for (const group of this.#groups) {
      if (group === target) return start;
      if (group.members.size > 0) start += group.members.size + 1;
    }
    throw new Error(`group ${target.id} is not in the list`);
  }

  #groupFor(member: ListMember): Group | null {
    if (!isOnline(member.status)) return this.#offline;
    return this.#hoistedGroupOf(member) ?? this.#online;
  }

  #hoistedGroupOf(member: ListMember): Group | null {
    let best: Group | null = null;
    for (const role of member.roles) {
      const group = this.#roleGroups.get(role);
      if (group !== undefined && (best === null || group.order < best.order)) best = group;
    }
    return best;
  }

  // Crossing the threshold shows or hides the offline group: rebuild, and the caller invalidates.
  #offlineListingChanged(): boolean {
    const listOffline = this.#entries.size <= this.#offlineThreshold;
    if (listOffline === (this.#offline !== null)) return false;
    this.#layOutGroups();
    return true;
  }

  // Builds the groups from the roles and puts every member in its group (O(n log n)).
  #layOutGroups(): void {
    const set = () => new OrderStatisticSet<Entry>(compareSortKeys, { prefix: prefixOf, ...(this.#nodeCapacity ? { nodeCapacity: this.#nodeCapacity } : {}) });
    const hoisted = hoistedOrder(this.#roles);
    this.#groups = hoisted.map((id, order) => new Group(String(id), order, set()));
    this.#roleGroups = new Map(hoisted.map((id, order) => [id, this.#groups[order]!]));
    this.#online = new Group(ONLINE_GROUP, hoisted.length, set());
    this.#groups.push(this.#online);
    this.#offline = this.#entries.size <= this.#offlineThreshold ? new Group(OFFLINE_GROUP, hoisted.length + 1, set()) : null;
    if (this.#offline !== null) this.#groups.push(this.#offline);
    for (const entry of this.#entries.values()) {
      entry.item = null; // hoisted_role may have changed
      entry.group = this.#groupFor(entry.member);
      entry.group?.members.add(entry);
    }
  }

  #headerItem(group: Group): ListItem {
    return { group: { id: group.id, count: group.members.size } };
  }

  #memberItem(entry: Entry): ListItem {
    return entry.item ?? this.#renderMember(entry.member);
  }

  #renderMember(member: ListMember): ListItem {
    const id = String(member.userId);
    const hoisted = this.#hoistedGroupOf(member);
    return {
      member: {
        ...member.extra,
        user: { id, username: member.username, global_name: member.globalName },
        nick: member.nick,
        roles: member.roles.map(String),
        hoisted_role: hoisted === null ? null : hoisted.id,
        presence: { user: { id }, status: member.status },
      },
    };
  }
}

function isOnline(status: MemberStatus): boolean {
  return status !== 'offline';
}

/** Hoisted role ids, highest first: by position descending, then by id ascending. */
function hoistedOrder(roles: readonly ListRole[]): bigint[] {
  return roles
    .filter((role) => role.hoist)
    .sort((a, b) => b.position - a.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((role) => role.id);
}

function invalidate(lengthBefore: number, lengthAfter: number): MemberListOp[] {
  return [{ op: 'INVALIDATE', range: [0, Math.max(lengthBefore, lengthAfter, 1) - 1] }];
}
