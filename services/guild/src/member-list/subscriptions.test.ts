import { MemberList } from './member-list';
import type { ListMember } from './member-list-types';
import { InvalidRangesError, MemberListSubscriptions } from './subscriptions';

const member = (userId: bigint, username: string): ListMember => ({ userId, username, globalName: null, nick: null, roles: [], status: 'online' });

function listOf(count: number): MemberList {
  const list = new MemberList({ guildId: 1n, offlineThreshold: 0 });
  for (let i = 1; i <= count; i++) list.upsert(member(BigInt(i), `user${String(i).padStart(4, '0')}`));
  return list;
}

describe('MemberListSubscriptions', () => {
  it('answers a subscription with a SYNC of each range, clamped to the list', () => {
    const subscriptions = new MemberListSubscriptions<string>(listOf(150));
    const ops = subscriptions.subscribe('s1', [
      [0, 99],
      [100, 199],
    ]);
    expect(ops.map((op) => (op.op === 'SYNC' ? [op.range, op.items.length] : op.op))).toEqual([
      [[0, 99], 100],
      [[100, 199], 51],
    ]);
  });

  it('rejects more than 5 ranges or a range of more than 100 items', () => {
    const subscriptions = new MemberListSubscriptions<string>(listOf(1));
    const six = Array.from({ length: 6 }, (_, i) => [i * 100, i * 100 + 99] as const);
    expect(() => subscriptions.subscribe('s', six)).toThrow(InvalidRangesError);
    expect(() => subscriptions.subscribe('s', [[0, 100]])).toThrow(InvalidRangesError);
    expect(() => subscriptions.subscribe('s', [[5, 4]])).toThrow(InvalidRangesError);
    expect(subscriptions.sessionCount).toBe(0);
  });

  it('sends a change only to ranges at or after it, once per distinct set of ranges', () => {
    const list = listOf(300);
    const subscriptions = new MemberListSubscriptions<string>(list);
    subscriptions.subscribe('top-a', [[0, 99]]);
    subscriptions.subscribe('top-b', [[0, 99]]);
    subscriptions.subscribe('middle', [[100, 199]]);
    const ops = list.upsert(member(999n, 'user0150x')); // lands at index 151
    expect(ops.map((op) => [op.op, 'index' in op ? op.index : -1])).toEqual([
      ['UPDATE', 0],
      ['INSERT', 151],
    ]);
    // [0, 99] gets the header count only; [100, 199] gets the INSERT only.
    expect(subscriptions.route(ops)).toEqual([
      { sessions: ['top-a', 'top-b'], ops: [ops[0]] },
      { sessions: ['middle'], ops: [ops[1]] },
    ]);
    expect(subscriptions.route(list.upsert(member(998n, 'user0290x')))).toEqual([{ sessions: ['top-a', 'top-b'], ops: [expect.objectContaining({ op: 'UPDATE', index: 0 })] }]);
  });

  it('follows an insert before a range with the item shifted into its first index', () => {
    const list = listOf(300);
    const subscriptions = new MemberListSubscriptions<string>(list);
    subscriptions.subscribe('middle', [[100, 199]]);
    const ops = list.upsert(member(999n, 'user0010x')); // lands at index 11
    const [delivery] = subscriptions.route(ops);
    expect(delivery!.ops).toEqual([ops[1], { op: 'UPDATE', index: 100, item: list.itemAt(100) }]);
  });

  it('forgets a session that unsubscribes', () => {
    const list = listOf(10);
    const subscriptions = new MemberListSubscriptions<string>(list);
    subscriptions.subscribe('s', [[0, 99]]);
    subscriptions.unsubscribe('s');
    expect(subscriptions.rangesOf('s')).toEqual([]);
    expect(subscriptions.route(list.remove(1n))).toEqual([]);
  });
});
