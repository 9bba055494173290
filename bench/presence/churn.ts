// Session presence events as gateways report them on the presence sessions topic: each churning
// user connects (online), goes idle, dnd with an activity, then to a final presence whose activity
// names the user (so an observer can tell the final frame from every earlier one).
import { performance } from 'node:perf_hooks';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { presenceV1 } from '@switchboard/proto';
import type { KafkaEventLog } from '@switchboard/runtime';

const Kind = presenceV1.SessionPresenceEvent_Kind;

export const CHANGES_PER_USER = 4;

export interface ProducedRecord {
  key: string;
  value: Uint8Array;
}

/** The activity name of user `index`'s final presence. */
export const finalActivity = (index: number): string => `final ${index}`;

/** Change `step` (0 … CHANGES_PER_USER-1) of churning user `index`. */
export function changeOf(run: string, userId: bigint, index: number, step: number): ProducedRecord {
  const [kind, status, activity] = [
    [Kind.CONNECTED, 'online', undefined],
    [Kind.UPDATED, 'idle', undefined],
    [Kind.UPDATED, 'dnd', 'warming up'],
    [Kind.UPDATED, ['online', 'idle', 'dnd'][index % 3]!, finalActivity(index)],
  ][step] as [presenceV1.SessionPresenceEvent_Kind, string, string | undefined];
  return {
    key: userId.toString(),
    value: toBinary(presenceV1.SessionPresenceEventSchema, create(presenceV1.SessionPresenceEventSchema, {
      kind, userId: userId.toString(), sessionId: `s-${userId}`, gatewayInstanceId: `bench-gateway-${run}`, platform: 'desktop',
      status, activitiesJson: JSON.stringify(activity ? [{ name: activity, type: 0 }] : []), at: timestampFromMs(Date.now()),
    })),
  };
}

/** Member id → final activity name, what each observer waits for. */
export function expectedFinals(users: readonly bigint[]): Map<string, string> {
  return new Map(users.map((userId, index) => [userId.toString(), finalActivity(index)]));
}

export interface ProduceTiming {
  startedAt: number;
  /** When the produce call carrying the very last record was issued, and when it resolved. */
  lastIssuedAt: number;
  lastAckedAt: number;
  records: number;
}

/**
 * A burst: every user's first change, then every user's second, … each round in produce calls of
 * `chunk` records, as fast as the broker acknowledges them.
 */
export async function produceBurst(log: KafkaEventLog, topic: string, run: string, users: readonly bigint[], chunk: number): Promise<ProduceTiming> {
  const startedAt = performance.now();
  let lastIssuedAt = startedAt;
  let records = 0;
  for (let step = 0; step < CHANGES_PER_USER; step++) {
    for (let from = 0; from < users.length; from += chunk) {
      const batch = users.slice(from, from + chunk).map((userId, i) => changeOf(run, userId, from + i, step));
      lastIssuedAt = performance.now();
      await log.produce(topic, batch);
      records += batch.length;
    }
  }
  return { startedAt, lastIssuedAt, lastAckedAt: performance.now(), records };
}

/**
 * Churn within about a second, as the coalescing test does: `slices` slices of users, one every
 * `everyMs`, each user's four changes back to back.
 */
export async function producePaced(log: KafkaEventLog, topic: string, run: string, users: readonly bigint[], slices: number, everyMs: number): Promise<ProduceTiming> {
  const startedAt = performance.now();
  let lastIssuedAt = startedAt;
  let records = 0;
  const per = Math.ceil(users.length / slices);
  for (let slice = 0; slice < slices; slice++) {
    const batch = users.slice(slice * per, (slice + 1) * per).flatMap((userId, i) =>
      Array.from({ length: CHANGES_PER_USER }, (_, step) => changeOf(run, userId, slice * per + i, step)));
    lastIssuedAt = performance.now();
    await log.produce(topic, batch);
    records += batch.length;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + (slice + 1) * everyMs - performance.now())));
  }
  return { startedAt, lastIssuedAt, lastAckedAt: performance.now(), records };
}
