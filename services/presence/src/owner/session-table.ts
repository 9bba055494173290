// Applying one session event to a user's session table, and which row write makes it durable.
// A session that resumed on another gateway belongs to that gateway from its CONNECTED on: a late
// update or disconnect from the gateway it left (produced concurrently by another process, so it
// may land after) is stale and ignored, or it would clobber or delete the live session.
import type { SessionPresence } from '../aggregate';
import type { SessionEvent } from './session-event';

export type SessionWrite =
  | { op: 'upsert'; session: SessionPresence }
  | { op: 'delete'; sessionId: string }
  | { op: 'none' };

export function sessionWriteFor(sessions: ReadonlyMap<string, SessionPresence>, event: SessionEvent): SessionWrite {
  if (event.kind === 'disconnected') {
    const current = sessions.get(event.sessionId);
    if (!current || current.gatewayInstanceId !== event.gatewayInstanceId) return { op: 'none' };
    return { op: 'delete', sessionId: event.sessionId };
  }
  const current = sessions.get(event.session.sessionId);
  if (event.kind === 'updated' && current && current.gatewayInstanceId !== event.session.gatewayInstanceId) return { op: 'none' };
  return { op: 'upsert', session: event.session };
}

export function applySessionWrite(sessions: Map<string, SessionPresence>, write: SessionWrite): void {
  if (write.op === 'upsert') sessions.set(write.session.sessionId, write.session);
  else if (write.op === 'delete') sessions.delete(write.sessionId);
}
