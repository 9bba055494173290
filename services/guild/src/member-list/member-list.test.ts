import { MemberList } from './member-list';
import type { ListItem, ListMember, MemberStatus } from './member-list-types';

const ADMIN = 10n;
const MOD = 20n;
const PLAIN = 30n;
const roles = [
  { id: ADMIN, position: 5, hoist: true },
  { id: MOD, position: 3, hoist: true },
  { id: PLAIN, position: 9, hoist: false },
];

function member(userId: bigint, username: string, status: MemberStatus = 'online', memberRoles: bigint[] = [], nick: string | null = null): ListMember {
  return { userId, username, globalName: null, nick, roles: memberRoles, status };
}

/** Items as short strings: "#group:count" for headers, the user id for members. */
function describeItems(items: readonly ListItem[]): string[] {
  return items.map((item) => ('group' in item ? `#${item.group.id}:${item.group.count}` : item.member.user.id));
}

function listOf(members: ListMember[], offlineThreshold = 1000): MemberList {
  const list = new MemberList({ guildId: 1n, roles, offlineThreshold });
  for (const m of members) list.upsert(m);
  return list;
}

describe('MemberList grouping and sorting', () => {
  it('groups online members by their highest hoisted role, then online, then offline', () => {
    const list = listOf([
      member(1n, 'amy', 'online', [MOD, ADMIN]),
      member(2n, 'bob', 'idle', [MOD]),
      member(3n, 'cat', 'dnd', [PLAIN]),
      member(4n, 'dan', 'offline', [ADMIN]),
      member(5n, 'eve', 'online'),
    ]);
    expect(describeItems(list.items(0, 99))).toEqual(['#10:1', '1', '#20:1', '2', '#online:2', '3', '5', '#offline:1', '4']);
    expect(list.groups()).toEqual([
      { id: '10', count: 1 },
      { id: '20', count: 1 },
      { id: 'online', count: 2 },
      { id: 'offline', count: 1 },
    ]);
    expect(list.memberCount).toBe(5);
    expect(list.onlineCount).toBe(4);
  });

  it('sorts by nick, else global name, else username, ignoring case, then by user id', () => {
    const list = listOf([
      member(1n, 'zed', 'online', [], 'Bravo'),
      { ...member(2n, 'yak'), globalName: 'alpha' },
      member(3n, 'Charlie'),
      member(40n, 'bravo'),
      member(5n, 'BRAVO'),
    ]);
    expect(describeItems(list.items(0, 99))).toEqual(['#online:5', '2', '1', '5', '40', '3']);
    expect(list.indexOf(40n)).toBe(4);
    expect(list.indexOf(99n)).toBe(-1);
  });

  it('lists only online members once the guild has more members than the offline threshold', () => {
    const list = listOf([member(1n, 'a'), member(2n, 'b', 'offline'), member(3n, 'c', 'offline')], 2);
    expect(describeItems(list.items(0, 99))).toEqual(['#online:1', '1']);
    expect(list.memberCount).toBe(3);
    expect(list.remove(3n)).toEqual([{ op: 'INVALIDATE', range: [0, 3] }]);
    expect(describeItems(list.items(0, 99))).toEqual(['#online:1', '1', '#offline:1', '2']);
  });

  it('renders members with user, roles, hoisted role and presence', () => {
    const list = listOf([{ ...member(7n, 'amy', 'idle', [PLAIN, MOD], 'Amy'), extra: { joined_at: '2020-01-01T00:00:00Z' } }]);
    expect(list.itemAt(1)).toEqual({
      member: {
        joined_at: '2020-01-01T00:00:00Z',
        user: { id: '7', username: 'amy', global_name: null },
        nick: 'Amy',
        roles: ['30', '20'],
        hoisted_role: '20',
        presence: { user: { id: '7' }, status: 'idle' },
      },
    });
  });
});

describe('MemberList ops', () => {
  it('inserts a header and the member when a group gains its first member', () => {
    const list = listOf([member(1n, 'amy')]);
    const ops = list.upsert(member(2n, 'bob', 'online', [ADMIN]));
    expect(ops.map((op) => [op.op, 'index' in op ? op.index : op.range])).toEqual([
      ['INSERT', 0],
      ['INSERT', 1],
    ]);
    expect(list.update(ops)).toMatchObject({ guild_id: '1', id: 'everyone', member_count: 2, online_count: 2 });
  });

  it('moves a member between groups with a DELETE, header updates and an INSERT', () => {
    const list = listOf([member(1n, 'amy'), member(2n, 'bob'), member(3n, 'cat', 'offline')]);
    const ops = list.setPresence(2n, 'offline');
    expect(ops).toEqual([
      { op: 'DELETE', index: 2 },
      { op: 'UPDATE', index: 0, item: { group: { id: 'online', count: 1 } } },
      { op: 'UPDATE', index: 2, item: { group: { id: 'offline', count: 2 } } },
      expect.objectContaining({ op: 'INSERT', index: 3 }),
    ]);
    expect(describeItems(list.items(0, 9))).toEqual(['#online:1', '1', '#offline:2', '2', '3']);
  });

  it('updates in place when the position does not change, and moves when the name does', () => {
    const list = listOf([member(1n, 'amy'), member(2n, 'bob'), member(3n, 'cat')]);
    expect(list.setPresence(2n, 'dnd')).toEqual([expect.objectContaining({ op: 'UPDATE', index: 2 })]);
    expect(list.upsert(member(2n, 'bob', 'dnd', [], 'zz'))).toEqual([{ op: 'DELETE', index: 2 }, expect.objectContaining({ op: 'INSERT', index: 3 })]);
    expect(describeItems(list.items(0, 9))).toEqual(['#online:3', '1', '3', '2']);
  });

  it('deletes the header when a group loses its last member', () => {
    const list = listOf([member(1n, 'amy', 'online', [ADMIN]), member(2n, 'bob')]);
    expect(list.remove(1n)).toEqual([
      { op: 'DELETE', index: 1 },
      { op: 'DELETE', index: 0 },
    ]);
    expect(list.remove(1n)).toEqual([]);
  });

  it('invalidates the list when the hoisted roles change, and not for other role edits', () => {
    const list = listOf([member(1n, 'amy', 'online', [PLAIN]), member(2n, 'bob', 'online', [MOD])]);
    expect(list.setRoles([...roles.slice(0, 2), { id: PLAIN, position: 1, hoist: false }])).toEqual([]);
    expect(list.setRoles([...roles.slice(0, 2), { id: PLAIN, position: 1, hoist: true }])).toEqual([{ op: 'INVALIDATE', range: [0, 3] }]);
    expect(describeItems(list.items(0, 9))).toEqual(['#20:1', '2', '#30:1', '1']);
  });
});
