// Decoding a gateway's SessionPresenceEvent record into what the owner applies. Anything that
// breaks the contract (undecodable bytes, no user or session, an unknown status or platform,
// activities that are not a JSON array) is a PoisonRecordError: retrying cannot fix it, so the
// log dead-letters it at once and the partition moves on.
import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { presenceV1 } from '@switchboard/proto';
import { isSnowflake, PoisonRecordError } from '@switchboard/runtime';
import type { ConsumedRecord } from '@switchboard/runtime';
import { isPlatform, isSessionStatus } from '../aggregate';
import type { SessionPresence } from '../aggregate';

const Kind = presenceV1.SessionPresenceEvent_Kind;

export type SessionEvent =
  | { kind: 'connected' | 'updated'; userId: bigint; session: SessionPresence }
  | { kind: 'disconnected'; userId: bigint; sessionId: string; gatewayInstanceId: string };

export function decodeSessionEvent(record: ConsumedRecord): SessionEvent {
  let event: presenceV1.SessionPresenceEvent;
  try {
    event = fromBinary(presenceV1.SessionPresenceEventSchema, record.value);
  } catch (err) {
    throw new PoisonRecordError('undecodable SessionPresenceEvent', { cause: err });
  }
  if (!isSnowflake(event.userId) || BigInt(event.userId) === 0n) throw new PoisonRecordError(`bad user_id "${event.userId}"`);
  if (event.sessionId === '') throw new PoisonRecordError('session_id is empty');
  const userId = BigInt(event.userId);
  if (event.kind === Kind.DISCONNECTED) {
    return { kind: 'disconnected', userId, sessionId: event.sessionId, gatewayInstanceId: event.gatewayInstanceId };
  }
  if (event.kind !== Kind.CONNECTED && event.kind !== Kind.UPDATED) throw new PoisonRecordError(`unknown kind ${event.kind}`);
  if (!isPlatform(event.platform)) throw new PoisonRecordError(`unknown platform "${event.platform}"`);
  if (!isSessionStatus(event.status)) throw new PoisonRecordError(`unknown status "${event.status}"`);
  const session: SessionPresence = {
    sessionId: event.sessionId,
    gatewayInstanceId: event.gatewayInstanceId,
    platform: event.platform,
    status: event.status,
    activities: parseActivities(event.activitiesJson),
    since: Number(event.since),
    afk: event.afk,
    // The gateway's clock decides which session spoke last; the append time when it sent none.
    updatedAt: event.at ? timestampMs(event.at) : record.timestamp,
  };
  return { kind: event.kind === Kind.CONNECTED ? 'connected' : 'updated', userId, session };
}

function parseActivities(json: string): unknown[] {
  if (json === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new PoisonRecordError('activities_json is not JSON', { cause: err });
  }
  if (!Array.isArray(parsed)) throw new PoisonRecordError('activities_json is not an array');
  return parsed;
}
