// The in-memory "broker" behind MemoryEventLog: topics of append-only partitions, and consumer
// groups that spread partitions over their members (round robin, like kafkajs's default assigner)
// and rebalance when a member joins, leaves or dies. Several MemoryEventLog clients may share one
// broker, like several processes sharing one Kafka cluster.
import type { TopicPartition, TopicSpec } from './event-log';
import { UnknownTopicError } from './errors';
import { checkPartitionCount } from './topics';
import { onAbort } from '../streams/abort-registry';

export interface StoredRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

export class MemoryPartition {
  readonly records: StoredRecord[] = [];
  private readonly waiters = new Set<() => void>();

  append(record: StoredRecord): number {
    this.records.push(record);
    for (const wake of [...this.waiters]) wake();
    return this.records.length - 1;
  }

  /** Resolves once a record exists at `offset`, or when `signal` aborts. */
  waitFor(offset: number, signal: AbortSignal): Promise<void> {
    if (this.records.length > offset || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        dispose();
        resolve();
      };
      this.waiters.add(wake);
      const dispose = onAbort(signal, wake);
    });
  }
}

export class MemoryTopic {
  readonly partitions: MemoryPartition[];
  constructor(readonly name: string, partitionCount: number) {
    this.partitions = Array.from({ length: partitionCount }, () => new MemoryPartition());
  }
}

/** What a group needs from one of its members. */
export interface GroupMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** Stop handling `partitions` (in-flight records finish or are abandoned), then onRevoked. */
  revoke(partitions: TopicPartition[]): Promise<void>;
  /** onAssigned, then handle `partitions` from the group's committed offsets. */
  assign(partitions: TopicPartition[]): Promise<void>;
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

function without(list: TopicPartition[], remove: TopicPartition[]): TopicPartition[] {
  const drop = new Set(remove.map(tpKey));
  return list.filter((tp) => !drop.has(tpKey(tp)));
}

export class MemoryGroup {
  private members: GroupMember[] = [];
  private readonly owned = new Map<GroupMember, TopicPartition[]>();
  private readonly committed = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly groupId: string, private readonly broker: MemoryBroker) {}

  committedOffset(tp: TopicPartition): number | undefined {
    return this.committed.get(tpKey(tp));
  }

  /** Records that everything before `nextOffset` is done, if `member` still owns the partition. */
  commit(member: GroupMember, tp: TopicPartition, nextOffset: number): boolean {
    const key = tpKey(tp);
    if (!(this.owned.get(member) ?? []).some((owned) => tpKey(owned) === key)) return false;
    this.committed.set(key, Math.max(nextOffset, this.committed.get(key) ?? 0));
    return true;
  }

  join(member: GroupMember): Promise<void> {
    return this.serialise(async () => {
      this.members.push(member);
      this.owned.set(member, []);
      await this.rebalance();
    });
  }

  /** Removes a member that has already stopped (or died) and hands its partitions to the others. */
  leave(member: GroupMember): Promise<void> {
    return this.serialise(async () => {
      if (!this.members.includes(member)) return;
      this.members = this.members.filter((m) => m !== member);
      this.owned.delete(member);
      await this.rebalance();
    });
  }

  private serialise(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Round robin over all subscribed partitions, each to the next member subscribed to its topic. */
  private target(): Map<GroupMember, TopicPartition[]> {
    const plan = new Map<GroupMember, TopicPartition[]>(this.members.map((m) => [m, []]));
    const topics = [...new Set(this.members.flatMap((m) => m.topics))].sort();
    let turn = 0;
    for (const topic of topics) {
      const eligible = this.members.filter((m) => m.topics.includes(topic));
      const count = this.broker.topic(topic).partitions.length;
      for (let partition = 0; partition < count; partition += 1) {
        plan.get(eligible[turn % eligible.length]!)!.push({ topic, partition });
        turn += 1;
      }
    }
    return plan;
  }

  // Revoke everywhere first, then assign: a partition is never handled by two members at once.
  private async rebalance(): Promise<void> {
    const plan = this.target();
    await Promise.all(
      this.members.map(async (member) => {
        const current = this.owned.get(member) ?? [];
        const lost = without(current, plan.get(member) ?? []);
        if (lost.length === 0) return;
        await member.revoke(lost);
        this.owned.set(member, without(current, lost));
      }),
    );
    await Promise.all(
      this.members.map(async (member) => {
        const gained = without(plan.get(member) ?? [], this.owned.get(member) ?? []);
        this.owned.set(member, plan.get(member) ?? []);
        if (gained.length > 0) await member.assign(gained);
      }),
    );
  }
}

export class MemoryBroker {
  private readonly topics = new Map<string, MemoryTopic>();
  private readonly groups = new Map<string, MemoryGroup>();

  topic(name: string): MemoryTopic {
    const topic = this.topics.get(name);
    if (!topic) throw new UnknownTopicError(name);
    return topic;
  }

  group(groupId: string): MemoryGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new MemoryGroup(groupId, this);
      this.groups.set(groupId, group);
    }
    return group;
  }

  /** Creates the missing topics; an existing one must have the same partition count. */
  ensureTopics(specs: TopicSpec[]): void {
    for (const spec of specs) {
      const existing = this.topics.get(spec.name);
      if (existing) checkPartitionCount(spec, existing.partitions.length);
    }
    for (const spec of specs) {
      if (!this.topics.has(spec.name)) this.topics.set(spec.name, new MemoryTopic(spec.name, spec.partitions));
    }
  }
}
