// Test support (not a test): session presence events as a gateway produces them, and waiting.
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { presenceV1 } from '@switchboard/proto';
import type { EventLog } from '@switchboard/runtime';

const Kind = presenceV1.SessionPresenceEvent_Kind;

export interface SessionEventInit {
  kind: 'connected' | 'updated' | 'disconnected';
  userId: bigint;
  sessionId: string;
  gateway?: string;
  platform?: string;
  status?: string;
  activities?: unknown[];
  since?: number;
  afk?: boolean;
  at?: number;
}

let clock = Date.now();

export function sessionEventBytes(init: SessionEventInit): Buffer {
  const kind = { connected: Kind.CONNECTED, updated: Kind.UPDATED, disconnected: Kind.DISCONNECTED }[init.kind];
  // Strictly increasing report times, so "most recently updated" is the order of the test.
  clock = Math.max(clock + 1, init.at ?? 0);
  const event = create(presenceV1.SessionPresenceEventSchema, {
    kind,
    userId: init.userId.toString(),
    sessionId: init.sessionId,
    gatewayInstanceId: init.gateway ?? 'gw-1',
    platform: init.platform ?? 'desktop',
    status: init.kind === 'disconnected' ? '' : (init.status ?? 'online'),
    activitiesJson: init.kind === 'disconnected' ? '' : JSON.stringify(init.activities ?? []),
    since: BigInt(init.since ?? 0),
    afk: init.afk ?? false,
    at: timestampFromMs(init.at ?? clock),
  });
  return Buffer.from(toBinary(presenceV1.SessionPresenceEventSchema, event));
}

/** Produces the events in order (one produce call each, as a gateway does). */
export async function publishSessionEvents(log: EventLog, topic: string, events: SessionEventInit[]): Promise<void> {
  for (const event of events) await log.produce(topic, [{ key: event.userId.toString(), value: sessionEventBytes(event) }]);
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A gateway's lease renewal as a gateway produces it (ttlMs 0: its goodbye). */
export async function publishGatewayLease(log: EventLog, topic: string, gatewayInstanceId: string, ttlMs: number): Promise<void> {
  const lease = create(presenceV1.GatewayLeaseSchema, { gatewayInstanceId, ttlMs: BigInt(ttlMs), at: timestampFromMs(Date.now()) });
  await log.produce(topic, [{ key: gatewayInstanceId, value: Buffer.from(toBinary(presenceV1.GatewayLeaseSchema, lease)) }]);
}
