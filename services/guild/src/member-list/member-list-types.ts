// The member list's wire shapes (GUILD_MEMBER_LIST_UPDATE, the official client's "op 14" lazy
// guild list) and the member fields the list needs.

export type MemberStatus = 'online' | 'idle' | 'dnd' | 'offline';

export interface ListMember {
  readonly userId: bigint;
  readonly username: string;
  readonly globalName: string | null;
  readonly nick: string | null;
  readonly roles: readonly bigint[];
  readonly status: MemberStatus;
  /** Further member object fields copied into items as they are (avatar, joined_at, flags…). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The role fields that decide grouping: hoisted roles get a group, ordered by position. */
export interface ListRole {
  readonly id: bigint;
  readonly position: number;
  readonly hoist: boolean;
}

/** Group ids: a hoisted role's id, or these two. */
export const ONLINE_GROUP = 'online';
export const OFFLINE_GROUP = 'offline';

export interface ListGroup {
  readonly id: string;
  readonly count: number;
}

export interface MemberObject {
  readonly user: { readonly id: string; readonly username: string; readonly global_name: string | null };
  readonly nick: string | null;
  readonly roles: readonly string[];
  readonly hoisted_role: string | null;
  readonly presence: { readonly user: { readonly id: string }; readonly status: MemberStatus };
  readonly [field: string]: unknown;
}

export type ListItem = { readonly group: ListGroup } | { readonly member: MemberObject };

/** Inclusive [first, last] flattened indexes, as on the wire. */
export type ListRange = readonly [number, number];

export type MemberListOp =
  | { readonly op: 'SYNC'; readonly range: ListRange; readonly items: readonly ListItem[] }
  | { readonly op: 'INSERT'; readonly index: number; readonly item: ListItem }
  | { readonly op: 'UPDATE'; readonly index: number; readonly item: ListItem }
  | { readonly op: 'DELETE'; readonly index: number }
  | { readonly op: 'INVALIDATE'; readonly range: ListRange };

/** The `d` of a GUILD_MEMBER_LIST_UPDATE dispatch. */
export interface MemberListUpdate {
  readonly guild_id: string;
  readonly id: string;
  readonly member_count: number;
  readonly online_count: number;
  readonly groups: readonly ListGroup[];
  readonly ops: readonly MemberListOp[];
}
