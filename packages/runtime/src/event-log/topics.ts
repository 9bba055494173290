// Topic administration: topics are created by the project's own code (brokers run with
// auto.create.topics.enable=false), idempotently, with explicit partition counts and config.
// Services call EventLog.ensureTopics at startup; scripts can call ensureKafkaTopics directly.
import type { Admin } from 'kafkajs';
import type { TopicSpec } from './event-log';
import { TopicAdminError, TopicConfigError } from './errors';
import { deadLetterTopicFor } from './dead-letter';
import type { EventLogLogger } from './logger';
import { sleep } from './delivery';

const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Checks names and partition counts and adds the dead-letter topics asked for. */
export function expandTopicSpecs(specs: TopicSpec[]): TopicSpec[] {
  const byName = new Map<string, TopicSpec>();
  const add = (spec: TopicSpec) => {
    if (!LEGAL_NAME.test(spec.name) || spec.name === '.' || spec.name === '..') {
      throw new TopicConfigError(spec.name, 'illegal topic name (use 1-249 of [a-zA-Z0-9._-])');
    }
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new TopicConfigError(spec.name, `partitions must be a positive integer, got ${spec.partitions}`);
    }
    const seen = byName.get(spec.name);
    if (seen && seen.partitions !== spec.partitions) {
      throw new TopicConfigError(spec.name, `specified twice with ${seen.partitions} and ${spec.partitions} partitions`);
    }
    if (!seen) byName.set(spec.name, { name: spec.name, partitions: spec.partitions, config: spec.config });
  };
  for (const spec of specs) {
    add(spec);
    if (spec.deadLetter) add({ name: deadLetterTopicFor(spec.name), partitions: spec.partitions, config: spec.config });
  }
  return [...byName.values()];
}

/** Fails with TopicConfigError when an existing topic's partition count differs from its spec. */
export function checkPartitionCount(spec: TopicSpec, actual: number): void {
  if (actual !== spec.partitions) {
    throw new TopicConfigError(
      spec.name,
      `exists with ${actual} partitions but the spec says ${spec.partitions}; ` +
        'changing the count moves keys between partitions, so it is never done implicitly',
    );
  }
}

async function partitionLeaders(admin: Admin, names: string[]): Promise<Map<string, number[]>> {
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  return new Map(topics.map((t) => [t.name, t.partitions.map((p) => p.leader)]));
}

/** Polls until every partition of `names` has a leader (a topic created by someone else just now). */
async function waitForLeaders(admin: Admin, names: string[], timeoutMs: number): Promise<Map<string, number[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leaders = await partitionLeaders(admin, names);
    const ready = names.every((n) => (leaders.get(n) ?? []).every((leader) => leader >= 0) && leaders.has(n));
    if (ready || Date.now() > deadline) return leaders;
    await sleep(100);
  }
}

/** Creates the missing topics of `specs` (plus dead-letter topics) on a Kafka cluster; idempotent. */
export async function ensureKafkaTopics(admin: Admin, specs: TopicSpec[], logger?: EventLogLogger): Promise<void> {
  const wanted = expandTopicSpecs(specs);
  if (wanted.length === 0) return;
  const names = wanted.map((s) => s.name);
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      logger?.info({ topics: missing.map((s) => s.name), created }, 'created topics');
    }
    const leaders = await waitForLeaders(admin, names, 10_000);
    for (const spec of wanted) checkPartitionCount(spec, leaders.get(spec.name)?.length ?? 0);
  } catch (err) {
    if (err instanceof TopicConfigError) throw err;
    throw new TopicAdminError(names, { cause: err });
  }
}
