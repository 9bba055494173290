// Random members, presence, nick and role changes, and random subscribers: each subscriber
// replays what it is sent onto a copy that keeps only its ranges, which must always equal the
// list, and the list must always equal a naive grouping and sorting of the members.
import { MemberList } from './member-list';
import type { ListItem, ListMember, ListRange, ListRole, MemberListOp, MemberStatus } from './member-list-types';
import { seededRandom } from './seeded-random';
import { MemberListSubscriptions } from './subscriptions';

const STATUSES: MemberStatus[] = ['online', 'idle', 'dnd', 'offline'];
const NAMES = ['amy', 'Amy', 'bob', 'BOB', 'cat', 'dan', 'é', 'zoe', 'Zo', 'a b', ''];
const ROLE_IDS = [100n, 200n, 300n, 400n];

/** A client's copy of the list: ops applied as array edits, everything outside its ranges dropped. */
class ClientCopy {
  items: (ListItem | undefined)[] = [];
  ranges: readonly ListRange[] = [];

  apply(ops: readonly MemberListOp[]): void {
    for (const op of ops) {
      if (op.op === 'SYNC') {
        for (let i = op.range[0]; i <= op.range[1]; i++) this.items[i] = op.items[i - op.range[0]];
      } else if (op.op === 'INSERT') {
        if (this.items.length < op.index) this.items.length = op.index;
        this.items.splice(op.index, 0, op.item);
      } else if (op.op === 'DELETE') {
        this.items.splice(op.index, 1);
      } else if (op.op === 'UPDATE') {
        this.items[op.index] = op.item;
      } else {
        for (let i = op.range[0]; i <= op.range[1]; i++) this.items[i] = undefined;
      }
    }
  }

  forgetOutsideRanges(): void {
    const kept: (ListItem | undefined)[] = [];
    for (const [a, b] of this.ranges) for (let i = a; i <= b; i++) kept[i] = this.items[i];
    this.items = kept;
  }
}

/** The list as it should be, computed the slow and obvious way. */
function expectedItems(members: Map<bigint, ListMember>, roles: ListRole[], offlineThreshold: number): unknown[] {
  const hoisted = roles.filter((r) => r.hoist).sort((a, b) => b.position - a.position || Number(a.id - b.id));
  const groupOf = (m: ListMember) => {
    if (m.status === 'offline') return members.size <= offlineThreshold ? 'offline' : null;
    return String(hoisted.find((r) => m.roles.includes(r.id))?.id ?? 'online');
  };
  const sortName = (m: ListMember) => (m.nick || m.globalName || m.username).toLowerCase();
  const out: unknown[] = [];
  for (const group of [...hoisted.map((r) => String(r.id)), 'online', 'offline']) {
    const inGroup = [...members.values()].filter((m) => groupOf(m) === group);
    inGroup.sort((a, b) => (sortName(a) < sortName(b) ? -1 : sortName(a) > sortName(b) ? 1 : Number(a.userId - b.userId)));
    if (inGroup.length > 0) out.push(`#${group}:${inGroup.length}`, ...inGroup.map((m) => `${m.userId}/${m.status}/${m.nick}/${m.roles.join('.')}`));
  }
  return out;
}

function describe_(item: ListItem | undefined): unknown {
  if (item === undefined) return undefined;
  if ('group' in item) return `#${item.group.id}:${item.group.count}`;
  const m = item.member;
  return `${m.user.id}/${m.presence.status}/${m.nick}/${m.roles.join('.')}`;
}

function randomRanges(random: () => number): ListRange[] {
  const count = 1 + Math.floor(random() * 4);
  return Array.from({ length: count }, () => {
    const start = random() < 0.5 ? Math.floor(random() * 6) * 10 : Math.floor(random() * 70);
    return [start, start + Math.floor(random() * 25)] as const;
  });
}

function runScenario(seed: number, steps: number): void {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const offlineThreshold = 40;
  let roles: ListRole[] = ROLE_IDS.map((id, i) => ({ id, position: i, hoist: i !== 2 }));
  const list = new MemberList({ guildId: 5n, roles, offlineThreshold, nodeCapacity: 4 });
  const subscriptions = new MemberListSubscriptions<number>(list);
  const clients = Array.from({ length: 6 }, () => new ClientCopy());
  const members = new Map<bigint, ListMember>();
  const seenOps = new Set<string>();

  const randomMember = (userId: bigint): ListMember => ({
    userId,
    username: pick(NAMES),
    globalName: random() < 0.3 ? pick(NAMES) : null,
    nick: random() < 0.3 ? pick(NAMES) : null,
    roles: ROLE_IDS.filter(() => random() < 0.3),
    status: pick(STATUSES),
  });

  const change = (): MemberListOp[] => {
    const choice = random();
    const existing = [...members.keys()];
    const target = existing.length > 0 && choice < 0.75 ? pick(existing) : BigInt(1 + Math.floor(random() * 60));
    const current = members.get(target);
    if (choice < 0.3 && current) {
      members.set(target, { ...current, status: pick(STATUSES) });
      return list.setPresence(target, members.get(target)!.status);
    }
    if (choice < 0.45 && current) {
      members.set(target, { ...current, nick: random() < 0.5 ? pick(NAMES) : null });
      return list.upsert(members.get(target)!);
    }
    if (choice < 0.55 && current) {
      members.set(target, { ...current, roles: ROLE_IDS.filter(() => random() < 0.4) });
      return list.upsert(members.get(target)!);
    }
    if (choice < 0.7) {
      members.delete(target);
      return list.remove(target);
    }
    if (choice < 0.72) {
      roles = roles.map((r) => ({ ...r, hoist: random() < 0.6, position: Math.floor(random() * 4) }));
      return list.setRoles(roles);
    }
    members.set(target, randomMember(target));
    return list.upsert(members.get(target)!);
  };

  for (let step = 0; step < steps; step++) {
    if (random() < 0.1) {
      const session = Math.floor(random() * clients.length);
      const client = clients[session]!;
      client.ranges = random() < 0.1 ? [] : randomRanges(random);
      client.items = [];
      client.apply(subscriptions.subscribe(session, client.ranges));
    } else {
      const ops = change();
      for (const op of ops) seenOps.add(op.op);
      for (const delivery of subscriptions.route(ops)) for (const session of delivery.sessions) clients[session]!.apply(delivery.ops);
    }
    const truth = expectedItems(members, roles, offlineThreshold);
    expect(list.items(0, truth.length + 5).map(describe_)).toEqual(truth);
    expect(list.length).toBe(truth.length);
    expect([list.memberCount, list.onlineCount]).toEqual([members.size, [...members.values()].filter((m) => m.status !== 'offline').length]);
    clients.forEach((client) => {
      client.forgetOutsideRanges();
      for (const [a, b] of client.ranges) {
        const seen = client.items.slice(a, b + 1).map(describe_);
        const wanted = truth.slice(a, b + 1);
        while (seen.length > wanted.length && seen[seen.length - 1] === undefined) seen.pop();
        expect({ step, range: [a, b], items: seen }).toEqual({ step, range: [a, b], items: wanted });
      }
    });
  }
  // The scenario must have crossed the offline threshold or re-hoisted roles, and moved members.
  expect([...seenOps].sort()).toEqual(['DELETE', 'INSERT', 'INVALIDATE', 'UPDATE']);
}

describe('MemberList with subscribers (property)', () => {
  it.each([1, 2, 3, 4])('keeps every subscriber copy equal to the list over random changes (seed %i)', (seed) => {
    runScenario(seed, 1500);
  });
});
